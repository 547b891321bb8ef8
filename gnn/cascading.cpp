#include "gnn/cascading.h"

#include <algorithm>

#include "gnn/gather_rows.h"
#include "graph_io/behavior_split.h"
#include "graph_io/errors.h"

namespace graft::gnn {

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
  for (size_t k = 1; k < stages_.size(); ++k) {
    transforms_.push_back(register_parameter("transform_" + std::to_string(k), torch::eye(options_.dim())));
  }
}

Representations CascadingRecommender::represent() {
  torch::Tensor h = lightgcn_propagate(stages_[0], embedding_, layers_);
  torch::Tensor sum = h;
  for (size_t k = 1; k < stages_.size(); ++k) {
    h = lightgcn_propagate(stages_[k], torch::mm(h, transforms_[k - 1]), layers_);
    sum = sum + h;
  }
  return {sum.narrow(0, 0, options_.users()), sum.narrow(0, options_.users(), options_.items())};
}

torch::Tensor CascadingRecommender::batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                                             const torch::Tensor& neg_items) {
  const int64_t U = options_.users();
  return gather_rows(embedding_, users).pow(2).sum() + gather_rows(embedding_, pos_items + U).pow(2).sum() +
         gather_rows(embedding_, neg_items + U).pow(2).sum();
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
