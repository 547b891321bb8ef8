// CDRIB's model (Cao et al., "Cross-Domain Recommendation to Cold-Start Users via Variational
// Information Bottleneck", ICDE 2022), ported from the reference implementation cjx96/CDRIB
// (model/CDRIB.py, model/VBGE.py, model/GCN.py; transfer/CDRIB_REFERENCE.md §2–3 describes it
// line by line). The method around it (data, losses' batches, schedule, evaluation) is
// transfer/methods_cdrib.cpp.
//
// Per domain, a variational bipartite graph encoder (VBGE) over that domain's own user and item
// tables: layers−1 DGCN layers, then one variational layer whose user and item outputs are samples
// z = μ + σ ⊙ ε with σ = exp(0.1 + 0.9·softplus(min(s, 0.4))). A user's (item's) representation is
// the concatenation of every layer's output, [N, dim·layers]. The two domains share nothing but
// the critic's discriminator.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "gnn/sparse_graph.h"
#include "transfer/transfer_options.h"

namespace graft::transfer::cdrib {

// One domain's training graph, row-normalised without self-loops as the reference's GraphMaker
// does: user_item = D_u⁻¹A [U, I] (an item→user hop averages a user's items), item_user = D_i⁻¹Aᵀ
// [I, U]. A row without edges stays zero. Duplicate (user, item) pairs count once.
struct BipartiteGraph {
  int64_t users = 0, items = 0;
  gnn::SparseGraph user_item, item_user;
};
BipartiteGraph row_normalised_graph(int64_t users, int64_t items, const std::vector<int64_t>& user,
                                    const std::vector<int64_t>& item);

// σ(s) = exp(0.1 + 0.9·softplus(min(s, 0.4))), in (e^0.1, σ(0.4)]; s above 0.4 gets no gradient.
torch::Tensor bounded_sigma(const torch::Tensor& log_sigma);
// The reference's prior: N(0, σ(1)²) with σ(1) = σ(0.4) ≈ 2.5136 (ones passed as log σ), not N(0, 1).
double prior_sigma();
// KL(N(mean, σ(log_sigma)²) ‖ N(0, prior_sigma()²)) per element, averaged over rows and summed
// over dimensions: the reference's `.mean(dim=0).sum()`. Scalar.
torch::Tensor kl_to_prior(const torch::Tensor& mean, const torch::Tensor& log_sigma);

// One hop: LeakyReLU(adj · (x W) + b) with W [in, out], b [out] ~ U(±1/√out). The product is taken
// on the smaller side ((adj · x) W when adj has fewer rows than columns): the same function.
class GraphConvImpl : public torch::nn::Module {
 public:
  GraphConvImpl(int64_t in, int64_t out, double leaky);
  torch::Tensor forward(const torch::Tensor& x, const gnn::SparseGraph& adj);

 private:
  torch::Tensor weight_, bias_;
  double leaky_;
};
TORCH_MODULE(GraphConv);

// A DGCN layer: each side's two-hop neighbourhood (users → items → users, items → users → items)
// joined with the side's own input by a linear layer and a ReLU.
class DgcnLayerImpl : public torch::nn::Module {
 public:
  DgcnLayerImpl(int64_t dim, double leaky);
  // (ũ [U, d], ṽ [I, d]) → (u [U, d], v [I, d])
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& users, const torch::Tensor& items,
                                                  const BipartiteGraph& graph);

 private:
  GraphConv gc1_{nullptr}, gc2_{nullptr}, gc3_{nullptr}, gc4_{nullptr};
  torch::nn::Linear user_union_{nullptr}, item_union_{nullptr};
};
TORCH_MODULE(DgcnLayer);

// The last, variational layer: means and log σ of users and items (no activation after the
// union layers; the first hop is shared by the mean and log σ branches).
struct Posterior {
  torch::Tensor user_mean, user_log_sigma, item_mean, item_log_sigma;
};
class VariationalLayerImpl : public torch::nn::Module {
 public:
  VariationalLayerImpl(int64_t dim, double leaky);
  Posterior forward(const torch::Tensor& users, const torch::Tensor& items, const BipartiteGraph& graph);

 private:
  GraphConv gc1_{nullptr}, gc2_{nullptr}, gc3_mean_{nullptr}, gc3_log_sigma_{nullptr}, gc4_mean_{nullptr},
      gc4_log_sigma_{nullptr};
  torch::nn::Linear user_mean_{nullptr}, user_log_sigma_{nullptr}, item_mean_{nullptr}, item_log_sigma_{nullptr};
};
TORCH_MODULE(VariationalLayer);

// What one domain's encoder gives: users [U, dim·layers], items [I, dim·layers] and the domain's
// information-bottleneck term β·KL_users + KL_items (zero without the bottleneck).
struct Encoded {
  torch::Tensor users, items, kl;
};

// A domain's embedding tables (N(0, 1), as nn.Embedding) and its VBGE.
class DomainEncoderImpl : public torch::nn::Module {
 public:
  DomainEncoderImpl(int64_t users, int64_t items, const CdribOptions& options);
  // Training mode: dropout on every layer's input and sampled z; eval mode: neither, z = μ.
  Encoded forward(const BipartiteGraph& graph);

 private:
  torch::Tensor user_embedding_, item_embedding_;
  std::vector<DgcnLayer> dgcn_;
  VariationalLayer last_{nullptr};
  CdribOptions options_;
};
TORCH_MODULE(DomainEncoder);

// The critic's discriminator on a user's pair of representations [a ‖ b]:
// Linear(2·dim·layers → dim) → ReLU → Linear(dim → 100) → ReLU → Linear(100 → 1). Logits [N].
class DiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorImpl(const CdribOptions& options);
  torch::Tensor forward(const torch::Tensor& a, const torch::Tensor& b);

 private:
  torch::nn::Sequential net_{nullptr};
};
TORCH_MODULE(Discriminator);

// The critic on matched rows: positives (a[k], b[k]) against (a[k], b_negative[k]) and
// (a_negative[k], b[k]). "hinge": mean ReLU(margin − sigmoid(pos) + sigmoid(neg)) summed over the
// two negative sets; "bce": BCE(pos, 1) + BCE(neg₁, 0) + BCE(neg₂, 0).
torch::Tensor critic_loss(Discriminator& discriminator, const torch::Tensor& a, const torch::Tensor& b,
                          const torch::Tensor& a_negative, const torch::Tensor& b_negative, const CdribOptions& options);

// Both domains' encoders and the discriminator.
class CdribModelImpl : public torch::nn::Module {
 public:
  CdribModelImpl(int64_t source_users, int64_t source_items, int64_t target_users, int64_t target_items,
                 const CdribOptions& options);
  DomainEncoder source{nullptr}, target{nullptr};
  Discriminator discriminator{nullptr};
};
TORCH_MODULE(CdribModel);

}  // namespace graft::transfer::cdrib
