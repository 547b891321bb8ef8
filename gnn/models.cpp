#include "gnn/models.h"


#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <ostream>
#include <utility>

#include "gnn/cascading.h"
#include "gnn/encoder_recommender.h"
#include "gnn/gather_rows.h"
#include "gnn/spmm.h"
#include "gnn/typed_graph.h"
#include "graph_io/errors.h"

namespace graft::gnn {

std::pair<torch::Tensor, torch::Tensor> initial_embeddings(const EmbeddingOptions& o) {
  TORCH_CHECK(o.users() >= 0 && o.items() >= 0, "embeddings: negative size (", o.users(), " users, ", o.items(),
              " items)");
  TORCH_CHECK(o.dim() > 0, "embeddings: dim must be positive, got ", o.dim());
  at::Generator generator = at::detail::createCPUGenerator(o.seed());
  torch::Tensor users = torch::empty({o.users(), o.dim()}).normal_(0.0, o.init_std(), generator);
  torch::Tensor items = torch::empty({o.items(), o.dim()}).normal_(0.0, o.init_std(), generator);
  return {users, items};
}

namespace {

void assign(torch::Tensor& parameter, const torch::Tensor& value) {
  torch::NoGradGuard no_grad;
  parameter.copy_(value);
}

// The typed graph of a relational encoder over `interactions`: user–item edges, split by
// behaviour when the encoder names a "user-item/<behaviour>" relation, and item–category edges
// when it names "item-category" and the domain has categories. Relations it does not name are
// left out (user-item/view,user-item/cart reads no purchases).
TypedGraph relational_graph(const io::Dataset& dataset, const io::Domain& domain,
                            const std::vector<int64_t>& interactions, const EncoderOptions& encoder) {
  const std::vector<std::string>& names = encoder.relations;
  const bool categories =
      domain.has_categories() && std::find(names.begin(), names.end(), kItemCategoryRelation) != names.end();
  const bool behaviours = std::any_of(names.begin(), names.end(),
                                      [](const std::string& name) { return name.rfind("user-item/", 0) == 0; });
  const NodeLayout layout{dataset.num_users(), domain.num_items(), categories ? domain.num_categories() : 0};
  std::vector<RelationEdges> edges;
  append_domain_edges(dataset, domain, interactions, layout.item_offset(), categories ? layout.category_offset() : -1,
                      {}, behaviours, edges);
  const auto unnamed = [&](const RelationEdges& e) {
    return std::find(names.begin(), names.end(), e.name) == names.end();
  };
  edges.erase(std::remove_if(edges.begin(), edges.end(), unnamed), edges.end());
  return build_typed_graph(layout, edges, encoder_graph_options(encoder));
}

}  // namespace

BprMf::BprMf(const EmbeddingOptions& options) : options_(options) {
  auto [users, items] = initial_embeddings(options_);
  user_embedding_ = register_parameter("user_embedding", users);
  item_embedding_ = register_parameter("item_embedding", items);
}

void BprMf::reset_parameters() {
  auto [users, items] = initial_embeddings(options_);
  assign(user_embedding_, users);
  assign(item_embedding_, items);
}

Representations BprMf::represent() { return {user_embedding_, item_embedding_}; }

torch::Tensor BprMf::batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                              const torch::Tensor& neg_items) {
  return squared_norms(user_embedding_, item_embedding_, users, pos_items, neg_items);
}

void BprMf::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::BprMf(users=" << options_.users() << ", items=" << options_.items()
         << ", dim=" << options_.dim() << ")";
}

torch::Tensor lightgcn_propagate(const SparseGraph& graph, const torch::Tensor& x, int64_t layers) {
  TORCH_CHECK(layers >= 0, "lightgcn_propagate: layers must be non-negative, got ", layers);
  if (layers == 0) return x;
  // In-place accumulation: addition and scaling keep no inputs for backward, and this saves one
  // [N, d] temporary per layer on the training hot path.
  torch::Tensor h = spmm(graph, x);
  torch::Tensor sum = x + h;
  for (int64_t k = 1; k < layers; ++k) {
    h = spmm(graph, h);
    sum.add_(h);
  }
  return sum.div_(static_cast<double>(layers + 1));
}

torch::Tensor lightgcn_propagate_blocks(const SampledBlocks& blocks, const torch::Tensor& x) {
  TORCH_CHECK(x.size(0) == blocks.sizes.front(), "lightgcn_propagate_blocks: x has ", x.size(0), " rows, the input layer ",
              blocks.sizes.front());
  const int64_t seeds = blocks.seeds();
  torch::Tensor h = x, sum = x.narrow(0, 0, seeds);
  for (const SparseGraph& block : blocks.blocks) {  // every layer's seeds are its first rows
    h = spmm(block, h);
    sum = sum + h.narrow(0, 0, seeds);
  }
  return sum / static_cast<double>(blocks.blocks.size() + 1);
}

LightGcn::LightGcn(const EmbeddingOptions& options, int64_t layers, SparseGraph graph)
    : options_(options), layers_(layers), graph_(std::move(graph)) {
  TORCH_CHECK(layers_ >= 0, "LightGcn: layers must be non-negative, got ", layers_);
  const int64_t nodes = options_.users() + options_.items();
  TORCH_CHECK(graph_.rows() == nodes && graph_.cols() == nodes, "LightGcn: the graph must be ", nodes, " × ",
              nodes, " (", options_.users(), " users + ", options_.items(), " items), got ", graph_.rows(), " × ",
              graph_.cols());
  auto [users, items] = initial_embeddings(options_);
  embedding_ = register_parameter("embedding", torch::cat({users, items}));
}

void LightGcn::reset_parameters() {
  auto [users, items] = initial_embeddings(options_);
  assign(embedding_, torch::cat({users, items}));
}

Representations LightGcn::represent() {
  const torch::Tensor h = lightgcn_propagate(graph_, embedding_, layers_);
  return {h.narrow(0, 0, options_.users()), h.narrow(0, options_.users(), options_.items())};
}

torch::Tensor LightGcn::propagate_seeds(const SampledBlocks& blocks, const torch::Tensor& input_rows) {
  TORCH_CHECK(static_cast<int64_t>(blocks.blocks.size()) == layers_, "LightGcn: ", blocks.blocks.size(),
              " sampled blocks for ", layers_, " layers");
  return lightgcn_propagate_blocks(blocks, input_rows);
}

void LightGcn::move_to(torch::Device device) {
  to(device);  // in place: embedding_ stays the registered parameter
  graph_ = graph_.to(device);
}

torch::Tensor LightGcn::batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                                 const torch::Tensor& neg_items) {
  return squared_norms(embedding_, embedding_, users, pos_items + options_.users(), neg_items + options_.users());
}

void LightGcn::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::LightGcn(users=" << options_.users() << ", items=" << options_.items()
         << ", dim=" << options_.dim() << ", layers=" << layers_ << ", edges=" << graph_.nnz() << ")";
}

std::vector<std::string> model_names() {
  return {"bprmf", "lightgcn", "encoder", "cascading", "itemknn", "ease", "gfcf"};
}

namespace {

std::shared_ptr<EncoderRecommender> make_encoder_model(const ModelOptions& options, const io::Dataset& dataset,
                                                       const io::Domain& d, const io::DomainSplit& split) {
  EncoderOptions encoder = options.encoder;
  encoder.dim = options.dim;
  encoder.layers = options.layers;
  encoder.seed = options.seed;
  validate(encoder);
  if (encoder.layer == "relational") {
    return std::make_shared<EncoderRecommender>(encoder, options.init_std,
                                                relational_graph(dataset, d, split.train, encoder));
  }
  NodeLayout layout;
  SparseGraph graph = build_domain_graph(dataset, d.name, split.train, encoder_graph_options(encoder), &layout);
  return std::make_shared<EncoderRecommender>(encoder, options.init_std, layout, std::move(graph));
}

// The domain's item blocks named in `names` (comma-separated; empty: all), UsageError naming a missing one.
std::vector<const io::FeatureBlock*> item_blocks(const io::Domain& d, const std::string& names) {
  std::vector<const io::FeatureBlock*> blocks = d.item_blocks(names, "item blocks");
  if (blocks.empty()) throw io::UsageError("item features: domain '" + d.name + "' has no item feature blocks");
  return blocks;
}

void add_item_features(EncoderRecommender& model, const ModelOptions& options, const io::Domain& d,
                       const io::DomainSplit& split) {
  NodeInputOptions input;
  input.source = options.item_input;
  input.combine = options.item_combine;
  input.id_dropout = options.id_dropout;
  input.dim = options.dim;
  input.init_std = options.init_std;
  input.seed = options.seed + 1;
  torch::Tensor trained = torch::zeros({d.num_items()}, torch::kBool);
  auto flags = trained.accessor<bool, 1>();
  for (const int64_t k : split.train) flags[d.interactions.item[static_cast<size_t>(k)]] = true;
  model.use_item_features(input, shared_feature_space({item_blocks(d, options.item_blocks)})[0], trained);
}

// A training-free item–item model over the split's training interactions; UsageError for a bad value.
std::shared_ptr<Recommender> make_item_similarity(const ModelOptions& options, const io::Dataset& dataset,
                                                  const io::Domain& d, const io::DomainSplit& split) {
  ItemSimilarityOptions o = options.similarity;
  o.kind = options.name;
  const auto require = [&](bool ok, const std::string& what) {
    if (!ok) throw io::UsageError(o.kind + ": " + what);
  };
  require(o.neighbours >= 1, "neighbours must be at least 1, got " + std::to_string(o.neighbours));
  require(o.shrink >= 0.0, "shrink must be non-negative, got " + std::to_string(o.shrink));
  require(o.lambda > 0.0, "lambda must be positive, got " + std::to_string(o.lambda));
  require(o.rank >= 0, "rank must be non-negative, got " + std::to_string(o.rank));
  require(o.memory_budget_mb > 0.0, "memory_budget_mb must be positive, got " + std::to_string(o.memory_budget_mb));
  std::vector<int64_t> users, items;
  for (const int64_t k : split.train) {
    users.push_back(d.interactions.user[static_cast<size_t>(k)]);
    items.push_back(d.interactions.item[static_cast<size_t>(k)]);
  }
  return fit_item_similarity(o, make_binary_rows(dataset.num_users(), d.num_items(), users, items));
}

}  // namespace

std::shared_ptr<Recommender> make_recommender(const ModelOptions& options, const io::Dataset& dataset,
                                              const std::string& domain, const io::DomainSplit& split) {
  if (options.dim < 1) throw io::UsageError("model dim must be at least 1, got " + std::to_string(options.dim));
  if (options.layers < 0) {
    throw io::UsageError("model layers must be at least 0, got " + std::to_string(options.layers));
  }
  if (!(options.init_std >= 0.0)) {
    throw io::UsageError("model init_std must be non-negative, got " + std::to_string(options.init_std));
  }
  const io::Domain& d = dataset.domain(domain);
  const EmbeddingOptions embedding = EmbeddingOptions(dataset.num_users(), d.num_items())
                                         .dim(options.dim)
                                         .init_std(options.init_std)
                                         .seed(options.seed);
  if (options.name == "bprmf") return std::make_shared<BprMf>(embedding);
  if (options.name == "lightgcn") {
    GraphOptions graph;  // symmetric normalisation, no self-loops, no categories: as in the paper
    graph.weight_by_behavior = options.behavior_weights;
    return std::make_shared<LightGcn>(embedding, options.layers,
                                      build_domain_graph(dataset, domain, split.train, graph));
  }
  if (options.name == "cascading") return make_cascading(embedding, options, dataset, d, split);
  const std::vector<std::string> similarity = item_similarity_kinds();
  if (std::find(similarity.begin(), similarity.end(), options.name) != similarity.end()) {
    return make_item_similarity(options, dataset, d, split);
  }
  if (options.name == "encoder") {
    std::shared_ptr<EncoderRecommender> model = make_encoder_model(options, dataset, d, split);
    if (options.item_input != "id") add_item_features(*model, options, d, split);
    return model;
  }
  std::string valid;
  for (const auto& name : model_names()) valid += (valid.empty() ? "" : ", ") + name;
  throw io::UsageError("unknown model '" + options.name + "'; valid models: " + valid);
}

}  // namespace graft::gnn
