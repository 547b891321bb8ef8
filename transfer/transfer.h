// The entry point of transfer/: run one transfer method on a dataset and report.
//
// A TransferMethod (transfer/method.h) trains on the source and target training graphs of the
// split and then scores target items for any user, cold-start users included (their only
// evidence is their source-domain graph). Methods:
//   target_only          the target alone; cold-start users scored by popularity (said in notes)
//   source_only          the source encoder zero-shot; target items = mean source representation
//                        of their training users active in both domains
//   joint                one encoder on the union graph, shared users linking the domains
//   finetune, frozen_encoder, last_k, discriminative_lr, l2sp
//                        pretrain on the source, then fine-tune on the target (FinetuneOptions)
//   adversarial, mmd, coral
//                        fine-tuning that also aligns source-graph and target-graph user
//                        representations (gradient reversal + discriminator, or a statistic)
//   mapping              EMCDR: a map from source to target representations fitted on shared users
//   meta                 Reptile over target user tasks before fine-tuning (few-shot targets)
//   instance_weighting   source interactions weighted by a discriminator's density ratio
//   vib                  after CDRIB: the bridge in both directions, a variational bottleneck on
//                        user representations and InfoNCE between a shared user's two graphs
//   shared_neighbours    fine-tuning, then cold-start users represented through the shared users
//                        their source items lead to (cross-domain item-to-item CF in
//                        representation space), mixed with their own source-graph representation
// Methods that score cold-start users from source-graph representations also train on the
// bridge term (TransferOptions::bridge_weight). run_transfer validates the request, trains, evaluates
// on the target under the split's protocol (cold-start and warm users separately), measures
// representation discrepancy and, unless the method is target_only, runs target_only with the
// same seed for the negative-transfer verdict.
#pragma once

#include "graph_io/dataset.h"
#include "transfer/transfer_options.h"
#include "transfer/transfer_report.h"

#include <string>
#include <vector>

namespace graft::transfer {

std::vector<std::string> method_names();

// The one spelling of a run: `finetune` with finetune.mode M becomes the method named after M
// (last_k, l2sp, adapter, …), and such a method fixes finetune.mode to M. UsageError when the
// method and an explicit finetune.mode disagree.
void canonicalise_method(TransferOptions& options);

// UsageError for: an unknown method (listing the valid ones), source == target, a missing
// domain or split, a split without cold-start users in the target when the protocol is
// cold-start sampled ranking, no shared users when the method needs them.
TransferReport run_transfer(const io::Dataset& dataset, const TransferOptions& options);

}  // namespace graft::transfer
