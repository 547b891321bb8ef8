// TransferTask: everything a method needs about one (dataset, source, target, split) request,
// resolved and checked once: the two domains' training graphs and the union graph, negative
// samplers, which users are cold-start in the target, which are shared, and the evaluators
// of the target under the split's protocol (all test cases, cold-start users', warm users').
//
// Node layouts (global user ids first, so a user is the same row in every graph):
//   source_graph  [users | source items]            symmetric-normalised training graph
//   target_graph  [users | target items]
//   union_graph   [users | source items | target items]
// Only training interactions of the split reach a graph, a sampler or a normalisation, so a
// cold-start user's target interactions are never read before evaluation.
#pragma once

#include "gnn/evaluator.h"
#include "gnn/negative_sampler.h"
#include "gnn/sparse_graph.h"
#include "graph_io/dataset.h"
#include "transfer/transfer_options.h"

#include <memory>
#include <string>
#include <vector>

namespace graft::transfer {

enum class GraphKind { kSource, kTarget, kUnion };

struct TransferTask {
  const io::Dataset* dataset = nullptr;
  TransferOptions options;                 // with "auto" fields resolved
  const io::DomainSplit* source_part = nullptr;
  const io::DomainSplit* target_part = nullptr;
  int64_t num_users = 0, source_items = 0, target_items = 0;

  gnn::SparseGraph source_graph, target_graph, union_graph;
  std::unique_ptr<gnn::NegativeSampler> source_sampler, target_sampler;
  std::vector<uint8_t> cold;               // [users] 1: cold-start user of the target
  std::vector<int64_t> shared_users;       // training interactions in both domains, ascending
  int64_t cold_with_source_history = 0;    // cold-start users with source training interactions
  std::vector<double> target_popularity;   // [target items] training interactions per item

  // Target evaluators; test_cold / test_warm are null when the split has no such cases.
  std::unique_ptr<gnn::Evaluator> valid, test, test_cold, test_warm;

  const gnn::SparseGraph& graph(GraphKind kind) const;
  int64_t num_cold_users() const;
};

// Resolves and checks the request (UsageError naming the problem: same source and target, a
// domain or split missing, an unknown protocol, no cold-start test cases under the sampled
// cold-start protocol, ...). The dataset must outlive the task.
TransferTask make_task(const io::Dataset& dataset, const TransferOptions& options);

}  // namespace graft::transfer
