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
// Fitting accumulates co-occurrences over the users' sparse rows; EASE and GF-CF hold dense I × I
// matrices (float64), ItemKNN I × outputs. The memory this needs is stated before anything is
// allocated and refused above `memory_budget_mb`.
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

// About the bytes a fit of `kind` (itemknn, ease, gfcf; any other name: co-occurrence counts)
// holds at its peak for `items` input items and `outputs` output columns.
int64_t item_similarity_bytes(const std::string& kind, int64_t items, int64_t outputs);

// States the need on stderr; UsageError naming need and budget when it is over the budget.
void check_item_similarity_memory(const ItemSimilarityOptions& options, int64_t users, int64_t items, int64_t outputs);

// W [I, I] float from the binary interaction matrix x [U, I] (float, 0/1).
torch::Tensor itemknn_weights(const torch::Tensor& x, int64_t neighbours, double shrink);
torch::Tensor ease_weights(const torch::Tensor& x, double lambda);
torch::Tensor gfcf_weights(const torch::Tensor& x, int64_t rank, double alpha);

// The eigenvectors of the k largest eigenvalues of a symmetric matrix [n, n] → [n, k]: exact
// (eigh) up to `exact_up_to` rows or when k ≥ n/2, else randomized subspace iteration (seeded,
// 2k columns, 8 power steps, Rayleigh–Ritz), which needs no n × n workspace beyond the matrix.
torch::Tensor top_eigenvectors(const torch::Tensor& symmetric, int64_t k, int64_t exact_up_to = 4096);

// The columns `outputs` (int64 item indices) of the weights of `options.kind`: [I, |outputs|],
// an output item never reading itself. Only what the columns need is computed where the kind
// allows (itemknn, gfcf's linear filter); EASE and GF-CF's low-pass term need the whole I × I.
torch::Tensor item_weights(const ItemSimilarityOptions& options, const torch::Tensor& x, const torch::Tensor& outputs);
struct SparseRows;
// The same from sparse binary rows (no users × items matrix is formed).
torch::Tensor item_weights(const ItemSimilarityOptions& options, const SparseRows& rows, const torch::Tensor& outputs);

// Sparse rows over `width` columns: row u holds columns[offsets[u] .. offsets[u+1]) with
// `values` (all 1 when empty).
struct SparseRows {
  std::vector<int64_t> offsets{0}, columns;
  std::vector<float> values;
  int64_t width = 0;
  int64_t num_rows() const { return static_cast<int64_t>(offsets.size()) - 1; }
  int64_t non_empty_rows() const;
  // Σ of each column's values (training interactions per item for binary rows): [width] f64.
  torch::Tensor column_sums() const;
  // Dense rows [B, width] of the given rows (int64 [B]).
  torch::Tensor dense(const torch::Tensor& rows) const;
};

// Σ_u x_u[:inputs]ᵀ x_u[outputs] over the rows (co-occurrence counts of each of the first
// `inputs` columns with each output column): [inputs, |outputs|] float.
torch::Tensor gram_columns(const SparseRows& rows, int64_t inputs, const torch::Tensor& outputs);

// Binary rows from (row, column) pairs; duplicates count once.
SparseRows make_binary_rows(int64_t rows, int64_t width, const std::vector<int64_t>& row,
                            const std::vector<int64_t>& column);

// A recommender of fixed weights: s(u, ·) = row_u W + bias, rows sparse over an input item space
// [I_in], W [I_in, I_out], bias [I_out] (or undefined). It has no parameters. represent() gives
// items = Wᵀ (plus the bias column) and users = a zero-stride placeholder [U, I_in(+1)]; the
// scoring functions read the sparse rows, so no U × I_in matrix is ever held.
class RowScorer : public Recommender {
 public:
  RowScorer(std::string name, SparseRows rows, torch::Tensor weights, torch::Tensor bias = {});
  Representations represent() override;
  torch::Tensor score_pairs(const Representations& r, const torch::Tensor& users, const torch::Tensor& items) override;
  torch::Tensor score_all_items(const Representations& r, const torch::Tensor& users) override;
  torch::Tensor batch_l2(const torch::Tensor& users, const torch::Tensor& pos_items,
                         const torch::Tensor& neg_items) override;
  std::string model_name() const override { return name_; }
  // Dense representations whose dot products are the scores: users [U, I_in(+1)], items
  // [I_out, I_in(+1)] (what methods that mix representations need; U × I_in floats).
  Representations dense_representations() const;

 private:
  torch::Tensor item_columns() const;  // Wᵀ, with the bias as a last column when there is one

  std::string name_;
  SparseRows rows_;
  torch::Tensor weights_t_, bias_;  // Wᵀ [I_out, I_in]; [I_out] or undefined
};

// The single-domain model of options.kind over binary training rows (users × items), fitted.
std::shared_ptr<RowScorer> fit_item_similarity(const ItemSimilarityOptions& options, SparseRows rows);

}  // namespace graft::gnn
