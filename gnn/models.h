// ID-embedding recommenders and the factory that builds a recommender by name.
//
//   BprMf     matrix factorisation: e_u · e_i.
//   LightGcn  LightGCN (He et al., SIGIR 2020): layer-0 ID embeddings E⁰ = [E_users; E_items]
//             propagated K times over the symmetric-normalised user–item graph Â of the split's
//             training interactions, E^{k+1} = Â E^k, final E = mean(E⁰ … E^K), dot-product
//             scoring. K = 0 is matrix factorisation.
// Both start from N(0, init_std²) embeddings drawn from a generator seeded by `seed`, so a model
// is a function of its options alone. Shapes: users [U, dim], items [I, dim].
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "gnn/encoder_options.h"
#include "gnn/item_similarity.h"
#include "gnn/recommender.h"
#include "gnn/sparse_graph.h"
#include "graph_io/dataset.h"

namespace graft::gnn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t users, int64_t items) : users_(users), items_(items) {}
  TORCH_ARG(int64_t, users);
  TORCH_ARG(int64_t, items);
  TORCH_ARG(int64_t, dim) = 64;
  TORCH_ARG(double, init_std) = 0.1;
  TORCH_ARG(uint64_t, seed) = 0;
};

class BprMf : public Recommender {
 public:
  explicit BprMf(const EmbeddingOptions& options);
  void reset_parameters();
  Representations represent() override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return "bprmf"; }
  void move_to(torch::Device device) override { to(device); }
  void pretty_print(std::ostream& stream) const override;

 private:
  EmbeddingOptions options_;
  torch::Tensor user_embedding_, item_embedding_;
};

// Users then items, each N(0, init_std²), from one generator so the draw depends on the seed only.
std::pair<torch::Tensor, torch::Tensor> initial_embeddings(const EmbeddingOptions& options);

// Mean of x, Â x, …, Â^layers x. Shapes: graph N × N, x [N, d] → [N, d].
torch::Tensor lightgcn_propagate(const SparseGraph& graph, const torch::Tensor& x, int64_t layers);
// The same over sampled blocks, for their seeds: x [|F_0|, d] (the input layer's rows) → [seeds, d].
torch::Tensor lightgcn_propagate_blocks(const SampledBlocks& blocks, const torch::Tensor& x);

class LightGcn : public Recommender {
 public:
  // graph: the normalised (users + items)² adjacency, users first (build_domain_graph).
  LightGcn(const EmbeddingOptions& options, int64_t layers, SparseGraph graph);
  void reset_parameters();
  Representations represent() override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return "lightgcn"; }
  void pretty_print(std::ostream& stream) const override;
  const SparseGraph* propagation_graph() const override { return &graph_; }
  int64_t propagation_layers() const override { return layers_; }
  torch::Tensor node_table() override { return embedding_; }
  torch::Tensor propagate_seeds(const SampledBlocks& blocks, const torch::Tensor& input_rows) override;
  void move_to(torch::Device device) override;

 private:
  EmbeddingOptions options_;
  int64_t layers_;
  SparseGraph graph_;
  // Users then items in one table, the graph's node order, so propagation needs no concatenation.
  torch::Tensor embedding_;
};

// What make_recommender needs; the experiments layer fills it from configuration.
struct ModelOptions {
  std::string name = "lightgcn";  // one of model_names()
  int64_t dim = 64;
  int64_t layers = 3;             // propagation steps (graph models)
  double init_std = 0.1;
  uint64_t seed = 0;
  // The encoder of "encoder" (EncoderRecommender). Its dim, layers and seed are ignored: they
  // are taken from dim, layers and seed above, so each has one source.
  EncoderOptions encoder;
  // Item inputs of "encoder" (gnn/feature_input.h): source "id" | "features" | "both", combine,
  // id_dropout; `item_blocks` the domain's item blocks to read, comma-separated (empty: all).
  std::string item_input = "id";
  std::string item_combine = "sum";
  double id_dropout = 0.0;
  std::string item_blocks;
  // lightgcn: user–item edges weighted by behaviour (GraphOptions::behavior_weights), the
  // single-graph way of reading views, carts and purchases together.
  bool behavior_weights = false;
  // cascading: the behaviour codes of its stages, in cascade order (gnn/cascading.h).
  std::vector<std::string> cascade = {"pv", "cart", "buy"};
  // itemknn, ease, gfcf: the training-free item–item models (gnn/item_similarity.h); `kind` is
  // taken from `name`.
  ItemSimilarityOptions similarity;
};

std::vector<std::string> model_names();  // "bprmf", "lightgcn", "encoder", "cascading", "itemknn", "ease", "gfcf"

// The recommender `options.name` over the users and items of `domain`; graph models see only
// the training interactions of `split`. A relational encoder runs on the typed graph of its
// relations (item–category edges when it names "item-category", user–item edges split by
// behaviour when it names a "user-item/<behaviour>" relation). UsageError naming the value for an unknown name,
// dim < 1, layers < 0 or init_std < 0, and validate(EncoderOptions)'s for "encoder".
std::shared_ptr<Recommender> make_recommender(const ModelOptions& options, const io::Dataset& dataset,
                                              const std::string& domain, const io::DomainSplit& split);

}  // namespace graft::gnn
