// Sampled subgraphs for mini-batch training (after DGL's NeighborSampler and blocks): the L-hop
// neighbourhood of a batch's seed nodes as one bipartite block per layer, so a step costs what
// its neighbourhood costs instead of a propagation over the whole graph.
//
// Frontiers: F_L = the seeds; F_l = F_{l+1} followed by the neighbours of F_{l+1} that are not in
// it yet (in the order they are met), so every frontier is a prefix of the one before it and the
// seeds are the first rows of every layer. Block l maps layer l to layer l+1:
//   rows F_{l+1}, columns F_l, entry (v, w) = Â[v, w] · deg(v) / k
// where k = min(deg(v), fanouts[l]) neighbours w of v are drawn without replacement (k = deg(v),
// all of them, when fanouts[l] ≤ 0). With every fanout unlimited each block holds exactly the rows
// of Â it needs, so propagating over the blocks gives the seeds' full-graph representations (up
// to float summation order); with fan-outs the rescaling keeps each row an unbiased estimate.
//
// fanouts[0] belongs to the input layer (as in DGL): for LightGCN with 3 layers and fanouts
// {25, 10, 5}, each seed draws 5 neighbours, each of those 10, and each of those 25.
// A node budget B > 0 bounds what a step costs whatever the graph's size (layer-wise sampling, after
// LADIES): of the nodes a layer's draw reaches that are not in the frontier yet, at most B join it,
// chosen by priority sampling (Duffield, Lund & Thorup 2007) with weight w = the node's column norm
// in the block: priority w / u, u uniform in (0, 1], the B highest kept, τ the (B+1)-th priority;
// a kept node's column is scaled by max(1, τ / w), its inclusion probability's inverse given the
// others, so every row stays unbiased. |F_l| ≤ |F_{l+1}| + B. Nodes already in the frontier are
// always kept; with at most B candidates the budget changes nothing.
//
// The draw for node v in layer l of a call is seeded by (seed, l, v): the same call gives the
// same subgraph whatever the thread count. Calls are serialised (one scratch array of a node id
// each, allocated on the first call).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "gnn/sparse_graph.h"

namespace graft::gnn {

struct SampledBlocks {
  torch::Tensor nodes;              // [|F_0|] int64 global ids of the input layer; F_l is its prefix of sizes[l]
  std::vector<int64_t> sizes;       // |F_0| ≥ |F_1| ≥ … ≥ |F_L| = number of seeds
  std::vector<SparseGraph> blocks;  // blocks[l]: sizes[l+1] × sizes[l]
  int64_t seeds() const { return sizes.back(); }
  int64_t edges() const;            // summed over the blocks
};

class NeighborSampler {
 public:
  // graph: the square normalised adjacency the model propagates over (CPU). One fan-out per
  // layer, input layer first; ≤ 0 means every neighbour. node_budget: the most new nodes a layer
  // adds; ≤ 0: no bound. UsageError for no layers.
  NeighborSampler(const SparseGraph& graph, std::vector<int64_t> fanouts, int64_t node_budget = 0);

  // seeds: distinct int64 node ids. std::invalid_argument for an id out of range.
  SampledBlocks sample(const torch::Tensor& seeds, uint64_t seed) const;

  int64_t layers() const { return static_cast<int64_t>(fanouts_.size()); }
  const std::vector<int64_t>& fanouts() const { return fanouts_; }
  bool exact() const;  // every fan-out unlimited and no node budget

 private:
  struct LayerDraw;
  LayerDraw draw_layer(const std::vector<int64_t>& frontier, int64_t fanout, uint64_t layer_seed) const;
  std::vector<double> admit_new_nodes(const LayerDraw& draw, std::vector<int64_t>& frontier, uint64_t budget_seed) const;
  SparseGraph block(const LayerDraw& draw, int64_t rows, const std::vector<double>& new_scale, int64_t cols) const;

  std::vector<int64_t> row_ptr_, col_;
  std::vector<double> value_;
  torch::Dtype value_dtype_;  // the blocks keep the graph's
  std::vector<int64_t> fanouts_;
  int64_t node_budget_ = 0;
  // Scratch of sample(): each node's position in the frontier being built, -2 − k for the layer's
  // k-th candidate, -1 elsewhere; reset after every call, so a call costs its subgraph, not the graph.
  mutable std::vector<int64_t> local_;
  mutable std::mutex scratch_mutex_;
};

// A batch of (user, positive, negative) triples as the seeds of a sampled subgraph: the distinct
// users (node ids u), then the distinct items (node ids user_count + i), each ascending, and where
// each triple's user and items are among them.
struct SeedBatch {
  torch::Tensor seeds;        // [users + items] node ids
  int64_t users = 0;          // the first `users` seeds are users
  torch::Tensor user_at;      // [B] in [0, users)
  torch::Tensor positive_at;  // [B] among the item seeds, in [0, seeds − users)
  torch::Tensor negative_at;  // [B] likewise
};
SeedBatch seed_batch(const torch::Tensor& users, const torch::Tensor& positives, const torch::Tensor& negatives,
                     int64_t user_count);

// "all" or "25,10,5" (input layer first), for reports.
std::string describe_fanouts(const std::vector<int64_t>& fanouts);
// "none" or the budget, for reports.
std::string describe_node_budget(int64_t node_budget);

}  // namespace graft::gnn
