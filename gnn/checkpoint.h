// Checkpoints of a recommender's parameters and buffers (torch::serialize archives), tagged
// with the model's name so that loading into another model, or one of another shape, is a clear
// error rather than a silent reshape.
#pragma once

#include <string>

#include "gnn/recommender.h"

namespace graft::gnn {

// Writes the model's named parameters and buffers to `path` atomically.
void save_checkpoint(const Recommender& model, const std::string& path);

// Copies a checkpoint into the model's existing tensors (so optimisers that hold them stay
// valid). DataError naming the file and both sides when the checkpoint holds another model, a
// different set of tensors, or a tensor of another shape; DataError naming the file when it is
// missing or unreadable.
void load_checkpoint(Recommender& model, const std::string& path);

}  // namespace graft::gnn
