#include "transfer/cdrib_model.h"

#include "gnn/spmm.h"

#include <cmath>

namespace graft::transfer::cdrib {
namespace {

// The rows × cols matrix with 1/deg(row) on each distinct (row, col) pair.
gnn::SparseGraph row_normalised(int64_t rows, int64_t cols, const std::vector<int64_t>& row,
                                const std::vector<int64_t>& col) {
  const auto n = static_cast<int64_t>(row.size());
  torch::Tensor r = torch::tensor(row, torch::kInt64), c = torch::tensor(col, torch::kInt64);
  if (n > 0) {
    const torch::Tensor unique = std::get<0>(torch::_unique(r * cols + c, /*sorted=*/true));
    r = unique.div(cols, "floor");
    c = unique.remainder(cols);
  }
  const torch::Tensor degree = torch::zeros({rows}, torch::kFloat).index_add_(0, r, torch::ones({r.size(0)}));
  return gnn::SparseGraph::from_coo(rows, cols, r, c, degree.index_select(0, r).reciprocal());
}

torch::Tensor uniform_parameter(int64_t rows, int64_t cols, double bound) {
  return torch::empty(cols > 0 ? std::vector<int64_t>{rows, cols} : std::vector<int64_t>{rows})
      .uniform_(-bound, bound);
}

torch::nn::Linear union_layer(int64_t dim) { return torch::nn::Linear(2 * dim, dim); }

}  // namespace

BipartiteGraph row_normalised_graph(int64_t users, int64_t items, const std::vector<int64_t>& user,
                                    const std::vector<int64_t>& item) {
  TORCH_CHECK(user.size() == item.size(), "row_normalised_graph: ", user.size(), " users for ", item.size(), " items");
  return {users, items, row_normalised(users, items, user, item), row_normalised(items, users, item, user)};
}

torch::Tensor bounded_sigma(const torch::Tensor& log_sigma) {
  return torch::exp(0.1 + 0.9 * torch::softplus(torch::clamp_max(log_sigma, 0.4)));
}

double prior_sigma() { return std::exp(0.1 + 0.9 * std::log1p(std::exp(0.4))); }

torch::Tensor kl_to_prior(const torch::Tensor& mean, const torch::Tensor& log_sigma) {
  const double prior_variance = prior_sigma() * prior_sigma();
  const torch::Tensor ratio = bounded_sigma(log_sigma).pow(2) / prior_variance;
  const torch::Tensor kl = 0.5 * (ratio + mean.pow(2) / prior_variance - 1.0 - ratio.log());
  return kl.mean(0).sum();
}

GraphConvImpl::GraphConvImpl(int64_t in, int64_t out, double leaky) : leaky_(leaky) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(out));
  weight_ = register_parameter("weight", uniform_parameter(in, out, bound));
  bias_ = register_parameter("bias", uniform_parameter(out, 0, bound));
}

torch::Tensor GraphConvImpl::forward(const torch::Tensor& x, const gnn::SparseGraph& adj) {
  const torch::Tensor aggregated =
      adj.rows() < adj.cols() ? gnn::spmm(adj, x).mm(weight_) : gnn::spmm(adj, x.mm(weight_));
  return torch::leaky_relu(aggregated + bias_, leaky_);
}

DgcnLayerImpl::DgcnLayerImpl(int64_t dim, double leaky)
    : gc1_(register_module("gc1", GraphConv(dim, dim, leaky))),
      gc2_(register_module("gc2", GraphConv(dim, dim, leaky))),
      gc3_(register_module("gc3", GraphConv(dim, dim, leaky))),
      gc4_(register_module("gc4", GraphConv(dim, dim, leaky))),
      user_union_(register_module("user_union", union_layer(dim))),
      item_union_(register_module("item_union", union_layer(dim))) {}

std::pair<torch::Tensor, torch::Tensor> DgcnLayerImpl::forward(const torch::Tensor& users, const torch::Tensor& items,
                                                               const BipartiteGraph& graph) {
  const torch::Tensor user_hops = gc3_(gc1_(users, graph.item_user), graph.user_item);
  const torch::Tensor item_hops = gc4_(gc2_(items, graph.user_item), graph.item_user);
  return {torch::relu(user_union_(torch::cat({user_hops, users}, 1))),
          torch::relu(item_union_(torch::cat({item_hops, items}, 1)))};
}

VariationalLayerImpl::VariationalLayerImpl(int64_t dim, double leaky)
    : gc1_(register_module("gc1", GraphConv(dim, dim, leaky))),
      gc2_(register_module("gc2", GraphConv(dim, dim, leaky))),
      gc3_mean_(register_module("gc3_mean", GraphConv(dim, dim, leaky))),
      gc3_log_sigma_(register_module("gc3_logstd", GraphConv(dim, dim, leaky))),
      gc4_mean_(register_module("gc4_mean", GraphConv(dim, dim, leaky))),
      gc4_log_sigma_(register_module("gc4_logstd", GraphConv(dim, dim, leaky))),
      user_mean_(register_module("user_union_mean", union_layer(dim))),
      user_log_sigma_(register_module("user_union_logstd", union_layer(dim))),
      item_mean_(register_module("item_union_mean", union_layer(dim))),
      item_log_sigma_(register_module("item_union_logstd", union_layer(dim))) {}

Posterior VariationalLayerImpl::forward(const torch::Tensor& users, const torch::Tensor& items,
                                        const BipartiteGraph& graph) {
  Posterior p;
  const torch::Tensor item_first_hop = gc2_(items, graph.user_item);
  p.item_mean = item_mean_(torch::cat({gc4_mean_(item_first_hop, graph.item_user), items}, 1));
  p.item_log_sigma = item_log_sigma_(torch::cat({gc4_log_sigma_(item_first_hop, graph.item_user), items}, 1));
  const torch::Tensor user_first_hop = gc1_(users, graph.item_user);
  p.user_mean = user_mean_(torch::cat({gc3_mean_(user_first_hop, graph.user_item), users}, 1));
  p.user_log_sigma = user_log_sigma_(torch::cat({gc3_log_sigma_(user_first_hop, graph.user_item), users}, 1));
  return p;
}

DomainEncoderImpl::DomainEncoderImpl(int64_t users, int64_t items, const CdribOptions& options) : options_(options) {
  user_embedding_ = register_parameter("user_embedding", torch::randn({users, options.dim}));
  item_embedding_ = register_parameter("item_embedding", torch::randn({items, options.dim}));
  for (int64_t l = 0; l + 1 < options.layers; ++l) {
    dgcn_.push_back(register_module("dgcn" + std::to_string(l), DgcnLayer(options.dim, options.leaky)));
  }
  last_ = register_module("variational", VariationalLayer(options.dim, options.leaky));
}

Encoded DomainEncoderImpl::forward(const BipartiteGraph& graph) {
  const double p = options_.dropout;
  torch::Tensor users = user_embedding_, items = item_embedding_;
  std::vector<torch::Tensor> user_layers, item_layers;
  for (DgcnLayer& layer : dgcn_) {
    std::tie(users, items) =
        layer(torch::dropout(users, p, is_training()), torch::dropout(items, p, is_training()), graph);
    user_layers.push_back(users);
    item_layers.push_back(items);
  }
  const Posterior q = last_(torch::dropout(users, p, is_training()), torch::dropout(items, p, is_training()), graph);
  Encoded out;
  if (options_.bottleneck) {
    const bool sample = is_training();
    // Items first, then users, as the reference draws them.
    const torch::Tensor item_z =
        sample ? q.item_mean + bounded_sigma(q.item_log_sigma) * torch::randn_like(q.item_mean) : q.item_mean;
    const torch::Tensor user_z =
        sample ? q.user_mean + bounded_sigma(q.user_log_sigma) * torch::randn_like(q.user_mean) : q.user_mean;
    user_layers.push_back(user_z);
    item_layers.push_back(item_z);
    out.kl = options_.beta * kl_to_prior(q.user_mean, q.user_log_sigma) + kl_to_prior(q.item_mean, q.item_log_sigma);
  } else {
    user_layers.push_back(q.user_mean);
    item_layers.push_back(q.item_mean);
    out.kl = torch::zeros({});
  }
  out.users = torch::cat(user_layers, 1);
  out.items = torch::cat(item_layers, 1);
  return out;
}

DiscriminatorImpl::DiscriminatorImpl(const CdribOptions& options) {
  const int64_t width = options.dim * options.layers;
  net_ = register_module("net", torch::nn::Sequential(torch::nn::Linear(2 * width, options.dim), torch::nn::ReLU(),
                                                      torch::nn::Linear(options.dim, 100), torch::nn::ReLU(),
                                                      torch::nn::Linear(100, 1)));
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& a, const torch::Tensor& b) {
  return net_->forward(torch::cat({a, b}, 1)).squeeze(1);
}

torch::Tensor critic_loss(Discriminator& discriminator, const torch::Tensor& a, const torch::Tensor& b,
                          const torch::Tensor& a_negative, const torch::Tensor& b_negative,
                          const CdribOptions& options) {
  const torch::Tensor positive = discriminator(a, b);
  const torch::Tensor negative_b = discriminator(a, b_negative);
  const torch::Tensor negative_a = discriminator(a_negative, b);
  if (options.critic == "bce") {
    namespace F = torch::nn::functional;
    return F::binary_cross_entropy_with_logits(positive, torch::ones_like(positive)) +
           F::binary_cross_entropy_with_logits(negative_b, torch::zeros_like(negative_b)) +
           F::binary_cross_entropy_with_logits(negative_a, torch::zeros_like(negative_a));
  }
  const auto hinge = [&](const torch::Tensor& negative) {
    return torch::relu(options.margin - torch::sigmoid(positive) + torch::sigmoid(negative)).mean();
  };
  return hinge(negative_b) + hinge(negative_a);
}

CdribModelImpl::CdribModelImpl(int64_t source_users, int64_t source_items, int64_t target_users,
                               int64_t target_items, const CdribOptions& options)
    : source(register_module("source_GNN", DomainEncoder(source_users, source_items, options))),
      target(register_module("target_GNN", DomainEncoder(target_users, target_items, options))),
      discriminator(register_module("discri", Discriminator(options))) {}

}  // namespace graft::transfer::cdrib
