#include "gnn/cascading.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <string>

#include "gnn/gather_rows.h"
#include "graph_io/behavior_split.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {
namespace {

constexpr double kTransformStd = 0.01;  // MBCGCN.py's initializer for W_u, W_i

}  // namespace

CascadingRecommender::CascadingRecommender(const EmbeddingOptions& options, int64_t layers,
                                           std::vector<SparseGraph> stages, std::vector<std::string> stage_names)
    : options_(options), layers_(layers), stages_(std::move(stages)), stage_names_(std::move(stage_names)) {
  TORCH_CHECK(!stages_.empty(), "CascadingRecommender: at least one stage");
  const int64_t nodes = options_.users() + options_.items();
  for (const SparseGraph& g : stages_) {
    TORCH_CHECK(g.rows() == nodes && g.cols() == nodes, "CascadingRecommender: each stage graph must be ", nodes,
                " × ", nodes, ", got ", g.rows(), " × ", g.cols());
  }
  auto [users, items] = initial_embeddings(options_);
  embedding_ = register_parameter("embedding", torch::cat({users, items}));
  const int64_t d = options_.dim();
  const auto transform = [&](const std::string& name) {
    at::Generator generator = at::detail::createCPUGenerator(io::derive_seed(options_.seed(), "cascading/" + name));
    return register_parameter(name, torch::randn({d, d}, generator) * kTransformStd);
  };
  for (size_t k = 1; k < stages_.size(); ++k) {
    user_transforms_.push_back(transform("user_transform_" + std::to_string(k)));
    item_transforms_.push_back(transform("item_transform_" + std::to_string(k)));
  }
}

Representations CascadingRecommender::represent() {
  torch::Tensor h = lightgcn_propagate(stages_[0], embedding_, layers_);
  torch::Tensor sum = h;
  const int64_t U = options_.users(), I = options_.items();
  for (size_t k = 1; k < stages_.size(); ++k) {
    const torch::Tensor input = torch::cat({h.narrow(0, 0, U).mm(user_transforms_[k - 1]),
                                            h.narrow(0, U, I).mm(item_transforms_[k - 1])});
    h = lightgcn_propagate(stages_[k], input, layers_);
    sum = sum + h;
  }
  return {sum.narrow(0, 0, options_.users()), sum.narrow(0, options_.users(), options_.items())};
}

torch::Tensor CascadingRecommender::batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                                             const torch::Tensor& neg_items) {
  const int64_t U = options_.users();
  torch::Tensor squares = squared_norms(embedding_, embedding_, users, pos_items + U, neg_items + U);
  for (const auto* transforms : {&user_transforms_, &item_transforms_}) {
    for (const torch::Tensor& w : *transforms) squares = squares + w.pow(2).sum();
  }
  return squares;
}

void CascadingRecommender::pretty_print(std::ostream& stream) const {
  stream << "graft::gnn::CascadingRecommender(users=" << options_.users() << ", items=" << options_.items()
         << ", dim=" << options_.dim() << ", layers=" << layers_ << ", stages=";
  for (size_t k = 0; k < stage_names_.size(); ++k) stream << (k ? " -> " : "") << stage_names_[k];
  stream << ")";
}

std::shared_ptr<Recommender> make_cascading(const EmbeddingOptions& embedding, const ModelOptions& options,
                                            const io::Dataset& dataset, const io::Domain& domain,
                                            const io::DomainSplit& split) {
  if (!domain.interactions.has_behavior()) {
    throw io::UsageError("model cascading: domain '" + domain.name + "' has no behaviour column");
  }
  if (options.cascade.empty()) throw io::UsageError("model cascading: --cascade names no behaviour");
  std::vector<SparseGraph> stages;
  for (size_t s = 0; s < options.cascade.size(); ++s) {
    const std::string& code = options.cascade[s];
    const std::optional<io::Behavior> behavior = io::parse_behavior(code);
    if (!behavior) {
      throw io::UsageError("model cascading: unknown behaviour '" + code + "' in --cascade (valid: pv, cart, fav, buy)");
    }
    if (std::find(options.cascade.begin(), options.cascade.begin() + s, code) != options.cascade.begin() + s) {
      throw io::UsageError("model cascading: behaviour '" + code + "' appears twice in --cascade");
    }
    const std::vector<int64_t> train = io::of_behavior(domain, split.train, *behavior);
    if (train.empty()) {
      throw io::UsageError("model cascading: behaviour '" + code + "' has no training interactions in domain '" +
                           domain.name + "'");
    }
    stages.push_back(build_domain_graph(dataset, domain.name, train, GraphOptions{}));
  }
  return std::make_shared<CascadingRecommender>(embedding, options.layers, std::move(stages), options.cascade);
}

}  // namespace graft::gnn
