#include "gnn/memory_model.h"

#include <algorithm>
#include <cstdio>

#include "gnn/evaluator.h"
#include "gnn/trainer.h"
#include "graph_io/dataset.h"

namespace graft::gnn {

namespace {

// Nodes a sampled batch's subgraph can reach: about 3 seeds a triple's worth per batch (a user
// and two items), times 1 + f_L + f_L f_{L−1} + …, at most the seeds plus a node budget per
// layer, at most the graph.
int64_t subgraph_nodes(const TrainingSize& s, int64_t nodes) {
  const double seeds = 3.0 * static_cast<double>(s.batch_size);
  double reach = static_cast<double>(nodes);
  if (!s.fanouts.empty() && std::all_of(s.fanouts.begin(), s.fanouts.end(), [](int64_t f) { return f > 0; })) {
    double layer = 1.0, fanout_reach = 1.0;
    for (auto f = s.fanouts.rbegin(); f != s.fanouts.rend(); ++f) fanout_reach += layer *= static_cast<double>(*f);
    reach = std::min(reach, seeds * fanout_reach);
  }
  if (s.node_budget > 0) reach = std::min(reach, seeds + static_cast<double>(s.layers * s.node_budget));
  return std::min<int64_t>(nodes, static_cast<int64_t>(reach));
}

std::string gib(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", static_cast<double>(bytes) / (1 << 30));
  return text;
}

}  // namespace

int64_t MemoryEstimate::total() const {
  const int64_t training = graph + std::max(propagation + triples, evaluation + triples);
  return parameters + data + process + std::max(construction, training);
}

std::string MemoryEstimate::describe() const {
  return "about " + gib(total()) + " GiB: parameters " + gib(parameters) + ", propagation " + gib(propagation) +
         ", graph " + gib(graph) + ", triples " + gib(triples) + ", data " + gib(data) + ", evaluation " +
         gib(evaluation) + ", construction " + gib(construction) + ", process " + gib(process) + " GiB";
}

MemoryEstimate estimate_training_memory(const TrainingSize& s) {
  const int64_t nodes = s.users + s.items, row = s.dim * 4;
  MemoryEstimate m;
  m.parameters = nodes * row * (s.lazy_adam ? 3 : 4);
  m.propagation = (s.sampled ? subgraph_nodes(s, nodes) : nodes) * row * 6;
  m.graph = 64 * s.train_interactions + 16 * nodes + (s.sampled ? 32 * s.train_interactions + 8 * nodes : 0);
  m.triples = 32 * s.train_interactions;
  m.data = 32 * s.dataset_interactions;
  m.construction = 264 * s.train_interactions;
  m.evaluation = s.full_ranking ? full_ranking_batch(s.items) * s.items * 8 : 0;
  m.process = int64_t{224} << 20;
  return m;
}

TrainingSize training_size(const io::Dataset& dataset, const io::Domain& domain, const io::DomainSplit& part,
                           const TrainOptions& options) {
  TrainingSize size;
  size.users = dataset.num_users();
  size.items = domain.num_items();
  size.train_interactions = static_cast<int64_t>(part.train.size());
  size.dataset_interactions = static_cast<int64_t>(domain.interactions.size());
  size.sampled = options.graph == "sampled";
  size.lazy_adam = options.optimizer == "lazy_adam";
  size.fanouts = options.fanouts;
  size.node_budget = options.node_budget;
  size.batch_size = options.batch_size;
  return size;
}

}  // namespace graft::gnn
