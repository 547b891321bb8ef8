// The training phases every transfer method is built from.
//
// pretrain_source: BPR (or BCE) on the source training graph alone (gnn::train through a
// DomainView), options.pretrain.
//
// adapt: the one adaptation loop. A method hands it a Recipe — which graph the main
// representations come from, what trains (a fine-tuning mode, finetune_modes.h), the objective
// parts it sums (objective.h) and how the target is scored — and the loop does only batching, the
// optimiser (Adam over the trainable groups and the parts' own parameters), validation with the
// recipe's scoring every eval_every epochs, early stopping and restoring the best epoch. It knows
// no method and no loss.
#pragma once

#include "transfer/finetune_modes.h"
#include "transfer/method.h"
#include "transfer/objective.h"
#include "transfer/scoring.h"

#include <memory>

namespace graft::transfer {

struct Recipe {
  std::string phase = "adapt";           // name in the history and the wall-clock
  GraphKind graph = GraphKind::kTarget;  // kUnion: joint training on both domains
  std::string mode = "full";             // what trains: one of finetune_modes()
  Objective objective;                   // summed in this order
  ScoringFunction scoring = cold_from_source_graph;  // for validation
};

// Epochs of source pretraining: `epochs`, or with `steps` > 0 the fewest whole epochs over
// `interactions` that hold that many batches.
int64_t pretrain_epochs(const PhaseOptions& phase, int64_t interactions);

void pretrain_source(const std::shared_ptr<CrossDomainModel>& model, const TransferTask& task, FitLog& log);

// Adds the mode's new parameters (adapters, LoRA) to the model, trains the recipe on the target
// and leaves the model at its best validated epoch. Records the parameter counts in `log`.
void adapt(CrossDomainModel& model, const TransferTask& task, Recipe& recipe, FitLog& log);

}  // namespace graft::transfer
