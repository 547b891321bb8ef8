// Training-free item-to-item recommenders: a user's scores are her training row x_u (binary, one
// column per item) times a dense item–item matrix W [I, I], s_u = x_u W, fitted in closed form:
//
//   itemknn  cosine similarity with shrinkage, w_ji = x_j·x_i / (‖x_j‖‖x_i‖ + shrink), keeping for
//            each item i its `neighbours` most similar items j ≠ i (the rest 0).
//   ease     EASE (Steck, WWW 2019): W = argmin ‖X − XW‖² + λ‖W‖² with diag(W) = 0, whose closed
//            form is P = (XᵀX + λI)⁻¹, W = I − P · diag(1/diag(P)), i.e. w_ji = −p_ji / p_ii (j ≠ i).
//   gfcf     GF-CF (Shen et al., CIKM 2021): R̃ = D_U^{-1/2} X D_I^{-1/2}, the linear filter R̃ᵀR̃
//            plus α times the ideal low-pass filter D_I^{-1/2} V Vᵀ D_I^{1/2}, V the top-`rank` right
//            singular vectors of R̃ (the eigenvectors of R̃ᵀR̃ with the largest eigenvalues).
//
// Every kind holds dense I × I matrices while fitting (EASE and GF-CF in float64); the memory
// this needs is stated before anything is allocated and refused above `memory_budget_mb`.
#pragma once

#include "gnn/recommender.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft::gnn {

struct ItemSimilarityOptions {
  std::string kind = "ease";       // itemknn | ease | gfcf
  int64_t neighbours = 100;        // itemknn: kept per item (≥ 1)
  double shrink = 10.0;            // itemknn: added to the cosine's denominator (≥ 0)
  double lambda = 500.0;           // ease: L2 weight (> 0)
  int64_t rank = 256;              // gfcf: singular vectors of the ideal low-pass term (≥ 0)
  double alpha = 0.3;              // gfcf: weight of the ideal low-pass term
  double memory_budget_mb = 8192;  // refuse a fit needing more (> 0)
};

std::vector<std::string> item_similarity_kinds();  // "itemknn", "ease", "gfcf"

// About the bytes the fit of `kind` holds at its peak: dense `users` × `items` rows (users with
// training interactions) and dense item × item matrices.
int64_t item_similarity_bytes(const std::string& kind, int64_t users, int64_t items);

// W [I, I] float from the binary interaction matrix x [U, I] (float, 0/1).
torch::Tensor itemknn_weights(const torch::Tensor& x, int64_t neighbours, double shrink);
torch::Tensor ease_weights(const torch::Tensor& x, double lambda);
torch::Tensor gfcf_weights(const torch::Tensor& x, int64_t rank, double alpha);

// Training rows as lists: items of user u are items[offsets[u] .. offsets[u+1]), distinct.
struct UserRows {
  std::vector<int64_t> offsets, items;
  int64_t num_items = 0;
  int64_t num_users() const { return static_cast<int64_t>(offsets.size()) - 1; }
  // Dense binary rows [B, I] of the given users (int64 [B]).
  torch::Tensor dense(const torch::Tensor& users) const;
};

// Builds user rows from (user, item) pairs; duplicates count once.
UserRows make_user_rows(int64_t users, int64_t items, const std::vector<int64_t>& user,
                        const std::vector<int64_t>& item);

// The recommender of a fitted W. It has no parameters (nothing to train). represent() gives
// items = Wᵀ (row i: the weights item i reads) and users = a zero-stride placeholder of shape
// [U, I]; the scoring functions read the users' training rows, so s(u, i) = x_u · W[:, i].
class ItemSimilarityRecommender : public Recommender {
 public:
  ItemSimilarityRecommender(const ItemSimilarityOptions& options, UserRows rows);
  Representations represent() override;
  torch::Tensor score_pairs(const Representations& r, const torch::Tensor& users, const torch::Tensor& items) override;
  torch::Tensor score_all_items(const Representations& r, const torch::Tensor& users) override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return options_.kind; }
  double fit_seconds() const { return fit_seconds_; }

 private:
  ItemSimilarityOptions options_;
  UserRows rows_;
  torch::Tensor weights_t_;  // Wᵀ [I, I]
  double fit_seconds_ = 0.0;
};

}  // namespace graft::gnn
