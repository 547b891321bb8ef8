// TransferTask: everything a method needs about one (dataset, source, target, split) request,
// resolved and checked once: the two domains' training graphs and the union graph, negative
// samplers, which users are cold-start in the target, which are shared, and the evaluators
// of the target under the split's protocol (all test cases, cold-start users', warm users').
//
// The graphs are typed (gnn/typed_graph.h): user–item relations (one per behaviour with
// graph.behaviours) and item–category edges (graph.categories). Node layouts, global user ids
// first so a user is the same row in every graph, and one category node per category name, so
// categories the two domains share by name are the same node (a category bridge):
//   source_graph  [users | source items | categories]
//   target_graph  [users | target items | categories]
//   union_graph   [users | source items | target items without a link | categories]
// A target item linked to a source item (the same external id, options.link_items) is its source
// item's node in the union graph: one product of two markets is one node of the joint graph.
// Several source domains (options.source "ca,uk,fr") are merged into one first
// (transfer/source_markets.h); the task then owns the derived dataset.
// Only training interactions of the split reach a graph, a sampler or a normalisation, so a
// cold-start user's target interactions are never read before evaluation.
#pragma once

#include "gnn/evaluator.h"
#include "gnn/negative_sampler.h"
#include "gnn/node_features.h"
#include "gnn/sparse_graph.h"
#include "gnn/typed_graph.h"
#include "graph_io/dataset.h"
#include "transfer/bridges.h"
#include "transfer/transfer_options.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace graft::transfer {

enum class GraphKind { kSource, kTarget, kUnion };

struct TransferTask {
  const io::Dataset* dataset = nullptr;    // the caller's, or `derived`
  const io::Dataset* given = nullptr;      // the caller's (a task for other sources starts from it)
  std::shared_ptr<const io::Dataset> derived;  // several sources merged into one; null otherwise
  std::vector<std::string> source_names;   // the source domains as given (one, or several merged)
  TransferOptions options;                 // with "auto" fields resolved
  const io::DomainSplit* source_part = nullptr;
  const io::DomainSplit* target_part = nullptr;
  int64_t num_users = 0, source_items = 0, target_items = 0, num_categories = 0;

  gnn::TypedGraph source_graph, target_graph, union_graph;
  Bridges bridges;
  std::unique_ptr<gnn::NegativeSampler> source_sampler, target_sampler;
  std::vector<uint8_t> cold;               // [users] 1: cold-start user of the target
  std::vector<int64_t> shared_users;       // training interactions in both domains, ascending
  int64_t cold_with_source_history = 0;    // cold-start users with source training interactions
  std::vector<double> source_popularity, target_popularity;  // training interactions per item
  // Shared items with options.link_items: [target items] the linked source item, or -1.
  std::vector<int64_t> linked_source_item;
  // The union graph's item nodes: union_item_node [I_s + I_t] maps each item of [source; target]
  // to its node (a linked target item to its source item's), union_node_item [union items] each
  // node to the [source; target] row it takes its input from. Undefined when no item is linked
  // (the union graph then stacks the two item sets as they are).
  torch::Tensor union_item_node, union_node_item;
  int64_t num_linked_items() const;

  // Node features (options.features; gnn/node_features.h), empty when the options read none:
  // the item blocks of each graph's items in one feature space, and the target's user blocks.
  gnn::NodeFeatures source_item_features, target_item_features, union_item_features, user_features;
  // [items of each graph] bool: the item has a training interaction (its ID embedding is trained).
  torch::Tensor source_item_trained, target_item_trained, union_item_trained;

  // Target evaluators; test_cold / test_warm are null when the split has no such cases;
  // test_all_items (options.rank_all_items) ranks over [source items | target items].
  std::unique_ptr<gnn::Evaluator> valid, test, test_cold, test_warm, test_all_items;

  const gnn::TypedGraph& graph(GraphKind kind) const;
  const gnn::NodeFeatures& item_features(GraphKind kind) const;
  const torch::Tensor& item_trained(GraphKind kind) const;
  int64_t num_cold_users() const;
};

// Resolves and checks the request (UsageError naming the problem: same source and target, a
// domain or split missing, an unknown protocol, no cold-start test cases under the sampled
// cold-start protocol, ...). The dataset must outlive the task.
TransferTask make_task(const io::Dataset& dataset, const TransferOptions& options);

// Small helpers over a task.
// An int64 index tensor holding a copy of v.
torch::Tensor as_index(const std::vector<int64_t>& v);
// task.cold as a [users, 1] bool column (true: cold-start user of the target).
torch::Tensor cold_column(const TransferTask& task);
// log(1 + training interactions) of each target item, [target items, 1] double.
torch::Tensor log_popularity(const TransferTask& task);
// The same of each source item, [source items, 1] double.
torch::Tensor log_source_popularity(const TransferTask& task);
// [users] bool, true for the users active in both domains (task.shared_users).
torch::Tensor shared_user_mask(const TransferTask& task);
// Whether each domain has at least 2 active users (what a discrepancy measure needs).
bool has_both_sides(const TransferTask& task);

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start);

}  // namespace graft::transfer
