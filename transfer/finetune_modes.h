// Fine-tuning modes: which parameters of a source-pretrained CrossDomainModel train on the target,
// and at which learning rate. The target's own parameters (its item table and item bias) are new
// and train in every mode. The feature projections (features.items / features.users) are
// pretrained input weights, treated like the ID tables: group "feature_projection".
//
//   full             everything, at lr
//   frozen_encoder   the encoder's head only (and the target's own parameters)
//   last_k           the head and the last k message-passing layers (needs layers with weights)
//   discriminative   everything; layer k at lr·decay^(K−k), the user and source item tables at
//                    lr·decay^(K+1) (the feature projections too): the further from the output,
//                    the smaller the step
//   l2sp             everything, at lr (the l2sp objective part pulls toward the pretrained weights)
//   adapter          new residual bottleneck adapters after each layer, on the head and on each
//                    feature projection's output; every pretrained parameter frozen
//   lora             new low-rank updates A·B of the user and source item tables, of every
//                    encoder weight matrix and of every feature projection weight; every
//                    pretrained parameter frozen
// frozen_encoder and last_k keep the feature projections frozen.
#pragma once

#include "transfer/cross_domain_model.h"

#include <string>
#include <vector>

namespace graft::transfer {

struct ParameterGroup {
  std::string name;                  // "target", "head", "layer_<k>", "embeddings", "feature_projection",
                                     // "adapters", "lora"
  std::vector<torch::Tensor> params;
  double lr = 0.0;
};

std::vector<std::string> finetune_modes();

// Adds the parameters the mode trains that do not exist yet (adapters, LoRA) and returns the
// groups the mode trains. UsageError for last_k on an encoder whose layers have no weights.
std::vector<ParameterGroup> trainable_groups(CrossDomainModel& model, const std::string& mode,
                                             const FinetuneOptions& options, double lr);

}  // namespace graft::transfer
