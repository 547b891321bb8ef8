// Where a run's tensors live: "cpu", "cuda" (the current CUDA device) or "cuda:N". A model is
// moved there once; the trainer and the evaluators put what they create (triples, sampled
// blocks, index batches) on the model's device and bring scores back to the CPU for ranking.
#pragma once

#include <torch/torch.h>

#include <string>

namespace graft::gnn {

// What is wrong with the device `text` names on this build and machine, empty when nothing:
// a malformed name, CUDA requested where LibTorch has no CUDA or no GPU is visible, or an
// ordinal past the last GPU.
std::string device_problem(const std::string& text);

// The device `text` names; UsageError "<option> '<text>': <problem>" where device_problem finds one.
torch::Device resolve_device(const std::string& text, const std::string& option);

// The device of a model's parameters (CPU for a model without parameters).
torch::Device device_of(const torch::nn::Module& model);

}  // namespace graft::gnn
