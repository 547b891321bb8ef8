// What a LightGCN-style training run holds at its peak, from its sizes, so `graft train` can say
// it (and refuse a run that cannot fit) before allocating. Float32 embeddings, int64 graph indices.
//
// Per node (users + items), with dim d:
//   parameters   the table, its gradient and Adam's two moments: 16 d bytes (lazy_adam: no dense
//                gradient, 12 d)
//   propagation  full-graph steps: the layer outputs, their sum and their gradients, about 24 d
//                bytes; sampled steps: the same per node of a batch's subgraph
// Per training interaction (two directed edges):
//   graph        CSR and its transpose (8-byte index, 4-byte value each) and the transpose's
//                permutation: 64 bytes, plus 16 per node; the sampler's copy of it 32 more
//   triples      the epoch's (user, positive, negative) and the positives index: 32 bytes
//   construction while the graph is built, before training: the edge list, the symmetric COO,
//                its sort order and the CSR made from it at once, 264 bytes (measured on the
//                scale preset: the peak of building the graph less what was resident before,
//                263 bytes at 10M interactions, 264 at 50M); the larger graphs' peak is here
// Per interaction of the dataset: 32 bytes (user, item, time and the split's index).
// Evaluation (full protocol): a batch of users' scores over every item and their mask, 8 bytes
// each (1,024 users, fewer where their scores would pass 256 MiB: gnn/evaluator.h).
// The process itself (LibTorch's libraries, measured with a tiny graph): 224 MiB.
// The peak is the larger of construction and training (graph, then the larger of propagation and
// evaluation, each with the triples), plus parameters, data and the process. Checked against
// peak resident memory on the scale preset (README, "What a large graph costs").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace graft::io {
struct Dataset;
struct Domain;
struct DomainSplit;
}  // namespace graft::io

namespace graft::gnn {

struct TrainOptions;

struct TrainingSize {
  int64_t users = 0, items = 0;
  int64_t train_interactions = 0, dataset_interactions = 0;
  int64_t dim = 64, layers = 3;
  bool sampled = false, lazy_adam = false;
  std::vector<int64_t> fanouts;  // sampled; empty or 0: every neighbour
  int64_t node_budget = 0;       // sampled; 0: no bound
  int64_t batch_size = 2048;
  bool full_ranking = true;      // the evaluation protocol ranks every item
};

struct MemoryEstimate {
  int64_t parameters = 0, propagation = 0, graph = 0, triples = 0, data = 0, evaluation = 0, process = 0;
  int64_t construction = 0;
  int64_t total() const;
  // "about 3.49 GiB: parameters 0.83, propagation 1.25, graph 0.49, triples 0.24, data 0.30,
  // evaluation 2.18, construction 0.21, process 0.15 GiB" — the peaks of construction, training
  // and evaluation do not overlap, so the total counts the largest of them.
  std::string describe() const;
};

MemoryEstimate estimate_training_memory(const TrainingSize& size);

// The sizes of training on `part` of `domain` with `options` (graph, optimizer, fan-outs, node
// budget, batch size); the model's dim and layers and the protocol stay at their defaults.
TrainingSize training_size(const io::Dataset& dataset, const io::Domain& domain, const io::DomainSplit& part,
                           const TrainOptions& options);

}  // namespace graft::gnn
