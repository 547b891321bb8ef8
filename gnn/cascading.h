// A cascading multi-behaviour recommender in the spirit of MB-CGCN (Cheng et al., WWW 2023):
// behaviours in cascade order (e.g. view → cart → buy), each stage a LightGCN over that
// behaviour's training graph Â_b,
//   stage 0   H_0 = LightGCN(Â_b0, E)                            E [U + I, d] layer-0 ID embeddings
//   stage k   H_k = LightGCN(Â_bk, [H_{k−1}^users W^u_k ; H_{k−1}^items W^i_k])
//   output    H = Σ_k H_k,  score(u, i) = h_u · h_i
// so what a user viewed shapes what the cart stage starts from, and both shape the purchase
// stage. As in the reference implementation (MBCGCN.py), users and items have their own
// feature transformations W^u_k, W^i_k [d, d], drawn N(0, 0.01²): a later stage starts small
// and grows only as far as it helps, so early training leans on the denser behaviours. Only
// training interactions reach the graphs (the split's train part, all behaviours). batch_l2, as
// the reference's regulariser, is the batch's rows of E plus ‖W^u_k‖² + ‖W^i_k‖² (so the
// transforms, too, are divided by the batch size in the L2 term).
// Shapes: users [U, d], items [I, d].
#pragma once

#include "gnn/models.h"

namespace graft::gnn {

class CascadingRecommender : public Recommender {
 public:
  // stages: one normalised (users + items)² graph per behaviour, in cascade order (≥ 1).
  CascadingRecommender(const EmbeddingOptions& options, int64_t layers, std::vector<SparseGraph> stages,
                       std::vector<std::string> stage_names);
  Representations represent() override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return "cascading"; }
  void pretty_print(std::ostream& stream) const override;

 private:
  EmbeddingOptions options_;
  int64_t layers_;
  std::vector<SparseGraph> stages_;
  std::vector<std::string> stage_names_;
  torch::Tensor embedding_;               // [U + I, d], users first
  // W^u_k and W^i_k for k = 1 … S−1, [d, d] each.
  std::vector<torch::Tensor> user_transforms_, item_transforms_;
};

// The cascading recommender over `domain`'s training interactions of `split`, one stage per
// behaviour code in options.cascade. UsageError for an unknown or repeated code, a domain without
// behaviours, or a stage behaviour without training interactions.
std::shared_ptr<Recommender> make_cascading(const EmbeddingOptions& embedding, const ModelOptions& options,
                                            const io::Dataset& dataset, const io::Domain& domain,
                                            const io::DomainSplit& split);

}  // namespace graft::gnn
