#include "gnn/item_similarity.h"

#include "graph_io/errors.h"

#include <torch/linalg.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

namespace graft::gnn {

std::vector<std::string> item_similarity_kinds() { return {"itemknn", "ease", "gfcf"}; }

int64_t item_similarity_bytes(const std::string& kind, int64_t users, int64_t items) {
  const int64_t square = items * items, rows = users * items;
  if (kind == "itemknn") return 4 * rows + 12 * square;  // x; co-counts, similarities, kept weights
  if (kind == "ease") return 4 * rows + 36 * square;     // x; Gram, Cholesky factor, inverse, weights (f64)
  return 20 * rows + 48 * square;                        // gfcf: x and R̃ (f64); filter, eigenvectors, workspace
}

torch::Tensor itemknn_weights(const torch::Tensor& x, int64_t neighbours, double shrink) {
  const torch::Tensor co = x.t().mm(x);
  const torch::Tensor norms = co.diagonal().sqrt();
  torch::Tensor similarity = co / (norms.unsqueeze(1) * norms.unsqueeze(0) + shrink).clamp_min(1e-12);
  similarity.fill_diagonal_(0.0);
  const int64_t keep = std::min<int64_t>(neighbours, x.size(1) - 1);
  torch::Tensor weights = torch::zeros_like(similarity);
  if (keep <= 0) return weights;
  const auto [values, rows] = similarity.topk(keep, /*dim=*/0);  // per item i, its nearest items j
  return weights.scatter_(0, rows, values);
}

torch::Tensor ease_weights(const torch::Tensor& x, double lambda) {
  torch::Tensor gram = x.to(torch::kDouble).t().mm(x.to(torch::kDouble));
  gram.diagonal().add_(lambda);
  const torch::Tensor inverse = torch::cholesky_inverse(torch::linalg::cholesky(gram));
  torch::Tensor weights = -inverse / inverse.diagonal().unsqueeze(0);  // column i divided by p_ii
  weights.fill_diagonal_(0.0);
  return weights.to(torch::kFloat);
}

namespace {

// d^{-1/2}, 0 where d = 0.
torch::Tensor inverse_sqrt(const torch::Tensor& degrees) {
  return torch::where(degrees > 0, degrees.clamp_min(1e-300).rsqrt(), torch::zeros_like(degrees));
}

}  // namespace

torch::Tensor gfcf_weights(const torch::Tensor& x, int64_t rank, double alpha) {
  const torch::Tensor xd = x.to(torch::kDouble);
  const torch::Tensor item_degrees = xd.sum(0);
  const torch::Tensor user_scale = inverse_sqrt(xd.sum(1)), item_scale = inverse_sqrt(item_degrees);
  const torch::Tensor normalised = xd * user_scale.unsqueeze(1) * item_scale.unsqueeze(0);
  torch::Tensor weights = normalised.t().mm(normalised);  // the linear filter R̃ᵀR̃
  const int64_t kept = std::min<int64_t>(rank, x.size(1));
  if (kept > 0 && alpha != 0.0) {
    // The right singular vectors of R̃ are the eigenvectors of R̃ᵀR̃; eigh sorts eigenvalues ascending.
    const torch::Tensor vectors = std::get<1>(torch::linalg::eigh(weights, "L")).narrow(1, x.size(1) - kept, kept);
    const torch::Tensor low_pass = vectors.mm(vectors.t());
    // The reference's D_I^{-1/2} V Vᵀ D_I^{1/2}; items without training interactions read nothing.
    weights += alpha * (item_scale.unsqueeze(1) * low_pass * item_degrees.sqrt().unsqueeze(0));
  }
  return weights.to(torch::kFloat);
}

torch::Tensor UserRows::dense(const torch::Tensor& users) const {
  const torch::Tensor ids = users.to(torch::kInt64).contiguous();
  const int64_t* u = ids.data_ptr<int64_t>();
  torch::Tensor out = torch::zeros({ids.size(0), num_items});
  float* o = out.data_ptr<float>();
  for (int64_t b = 0; b < ids.size(0); ++b) {
    for (int64_t k = offsets[u[b]]; k < offsets[u[b] + 1]; ++k) o[b * num_items + items[k]] = 1.0f;
  }
  return out;
}

UserRows make_user_rows(int64_t users, int64_t items, const std::vector<int64_t>& user,
                        const std::vector<int64_t>& item) {
  std::vector<std::vector<int64_t>> lists(static_cast<size_t>(users));
  for (size_t k = 0; k < user.size(); ++k) lists[user[k]].push_back(item[k]);
  UserRows rows;
  rows.num_items = items;
  rows.offsets.push_back(0);
  for (std::vector<int64_t>& list : lists) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    rows.items.insert(rows.items.end(), list.begin(), list.end());
    rows.offsets.push_back(static_cast<int64_t>(rows.items.size()));
  }
  return rows;
}

namespace {

// The binary matrix of the users with at least one training item (the others change no W).
torch::Tensor active_rows(const UserRows& rows) {
  std::vector<int64_t> active;
  for (int64_t u = 0; u < rows.num_users(); ++u) {
    if (rows.offsets[u + 1] > rows.offsets[u]) active.push_back(u);
  }
  return rows.dense(torch::tensor(active, torch::kInt64));
}

int64_t active_users(const UserRows& rows) {
  int64_t n = 0;
  for (int64_t u = 0; u < rows.num_users(); ++u) n += rows.offsets[u + 1] > rows.offsets[u];
  return n;
}

void check_memory(const ItemSimilarityOptions& o, const UserRows& rows) {
  const double mib = static_cast<double>(item_similarity_bytes(o.kind, active_users(rows), rows.num_items)) /
                     (1024.0 * 1024.0);
  std::cerr << o.kind << ": " << rows.num_items << " items, " << active_users(rows) << " users with training "
            << "interactions; the fit needs about " << std::lround(mib) << " MiB (budget " << o.memory_budget_mb
            << " MiB)\n";
  if (mib > o.memory_budget_mb) {
    throw io::UsageError(o.kind + " needs about " + std::to_string(std::lround(mib)) + " MiB for " +
                         std::to_string(rows.num_items) + " items (dense item × item matrices), over the memory "
                         "budget of " + std::to_string(std::lround(o.memory_budget_mb)) +
                         " MiB (model memory_budget_mb, --memory-budget-mb)");
  }
}

}  // namespace

ItemSimilarityRecommender::ItemSimilarityRecommender(const ItemSimilarityOptions& options, UserRows rows)
    : options_(options), rows_(std::move(rows)) {
  check_memory(options_, rows_);
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = active_rows(rows_);
  torch::Tensor weights;
  if (options_.kind == "itemknn") {
    weights = itemknn_weights(x, options_.neighbours, options_.shrink);
  } else if (options_.kind == "ease") {
    weights = ease_weights(x, options_.lambda);
  } else {
    weights = gfcf_weights(x, options_.rank, options_.alpha);
  }
  weights_t_ = weights.t().contiguous();
  fit_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Representations ItemSimilarityRecommender::represent() {
  return {torch::zeros({1, rows_.num_items}).expand({rows_.num_users(), rows_.num_items}), weights_t_};
}

torch::Tensor ItemSimilarityRecommender::score_all_items(const Representations& r, const torch::Tensor& users) {
  return rows_.dense(users).mm(r.items.t());
}

torch::Tensor ItemSimilarityRecommender::score_pairs(const Representations& r, const torch::Tensor& users,
                                                     const torch::Tensor& items) {
  const auto [distinct, position, counts] = torch::_unique2(users, /*sorted=*/true, /*return_inverse=*/true);
  return score_all_items(r, distinct).index({position, items});
}

torch::Tensor ItemSimilarityRecommender::batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  return torch::zeros({});
}

}  // namespace graft::gnn
