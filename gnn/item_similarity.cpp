#include "gnn/item_similarity.h"

#include "graph_io/errors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/linalg.h>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace graft::gnn {

std::vector<std::string> item_similarity_kinds() { return {"itemknn", "ease", "gfcf"}; }

int64_t item_similarity_bytes(const std::string& kind, int64_t items, int64_t outputs) {
  const int64_t square = items * items, kept = items * outputs;
  if (kind == "ease") return 24 * square + 24 * kept;  // Gram, Cholesky factor, inverse (f64); columns, W
  // gfcf: Gram (f64), an exact eigh's vectors and workspace up to 4,096 items; filters, W
  if (kind == "gfcf") return 8 * square + 16 * std::min<int64_t>(square, 4096 * 4096) + 24 * kept;
  return 20 * kept;  // itemknn and co-occurrence: counts (f64, then f32), similarities, kept weights
}

void check_item_similarity_memory(const ItemSimilarityOptions& o, int64_t users, int64_t items, int64_t outputs) {
  const double mib = static_cast<double>(item_similarity_bytes(o.kind, items, outputs)) / (1024.0 * 1024.0);
  std::cerr << o.kind << ": " << items << " items, " << users << " users with training interactions; the fit "
            << "needs about " << std::lround(mib) << " MiB (budget " << o.memory_budget_mb << " MiB)\n";
  if (mib > o.memory_budget_mb) {
    throw io::UsageError(o.kind + " needs about " + std::to_string(std::lround(mib)) + " MiB for " +
                         std::to_string(items) + " items (dense item × item matrices), over the memory budget of " +
                         std::to_string(std::lround(o.memory_budget_mb)) +
                         " MiB (model memory_budget_mb, --memory-budget-mb)");
  }
}

namespace {

// Zeroes w[outputs[t], t]: an output item never reads itself.
void zero_self(torch::Tensor& w, const torch::Tensor& outputs) {
  w.index_put_({outputs, torch::arange(outputs.size(0))}, 0.0);
}

// Σ_u r_u x_u[:inputs]ᵀ x_u[outputs] over the rows, r_u = 1 or 1 / |row u|, accumulated pair by
// pair over each row's entries (the rows are sparse: the work is Σ_u |row u|², no dense user
// rows): [inputs, |outputs|], the first `inputs` columns against the output columns.
torch::Tensor weighted_gram(const SparseRows& rows, int64_t inputs, const torch::Tensor& outputs,
                            bool by_inverse_degree, torch::ScalarType dtype) {
  std::vector<int64_t> position(static_cast<size_t>(rows.width), -1);
  const torch::Tensor out = outputs.to(torch::kInt64).contiguous();
  const int64_t stride = out.size(0);
  for (int64_t t = 0; t < stride; ++t) position[out.data_ptr<int64_t>()[t]] = t;
  torch::Tensor result = torch::zeros({inputs, stride}, torch::kDouble);
  double* gram = result.data_ptr<double>();
  for (int64_t u = 0; u < rows.num_rows(); ++u) {
    const int64_t first = rows.offsets[u], last = rows.offsets[u + 1];
    if (first == last) continue;
    const double scale = by_inverse_degree ? 1.0 / static_cast<double>(last - first) : 1.0;
    for (int64_t b = first; b < last; ++b) {
      const int64_t t = position[rows.columns[b]];
      if (t < 0) continue;
      for (int64_t a = first; a < last; ++a) {
        if (rows.columns[a] < inputs) gram[rows.columns[a] * stride + t] += scale;
      }
    }
  }
  return result.to(dtype);
}

torch::Tensor itemknn_columns(const SparseRows& rows, const torch::Tensor& outputs, int64_t neighbours, double shrink) {
  const torch::Tensor co = weighted_gram(rows, rows.width, outputs, false, torch::kFloat);
  const torch::Tensor norms = rows.column_sums().sqrt().to(torch::kFloat);  // binary rows: ‖x_i‖ = √count
  torch::Tensor similarity =
      co / (norms.unsqueeze(1) * norms.index_select(0, outputs).unsqueeze(0) + shrink).clamp_min(1e-12);
  zero_self(similarity, outputs);
  const int64_t keep = std::min<int64_t>(neighbours, rows.width - 1);
  torch::Tensor weights = torch::zeros_like(similarity);
  if (keep <= 0) return weights;
  const auto [values, nearest] = similarity.topk(keep, /*dim=*/0);  // per output item, its nearest items
  return weights.scatter_(0, nearest, values);
}

torch::Tensor ease_columns(const SparseRows& rows, const torch::Tensor& outputs, double lambda) {
  torch::Tensor gram = weighted_gram(rows, rows.width, torch::arange(rows.width), false, torch::kDouble);
  gram.diagonal().add_(lambda);
  const torch::Tensor columns = torch::cholesky_inverse(torch::linalg::cholesky(gram)).index_select(1, outputs);
  const torch::Tensor diagonal = columns.index({outputs, torch::arange(outputs.size(0))});
  torch::Tensor weights = -columns / diagonal.unsqueeze(0);  // column t divided by p_tt
  zero_self(weights, outputs);
  return weights.to(torch::kFloat);
}

// d^{-1/2}, 0 where d = 0.
torch::Tensor inverse_sqrt(const torch::Tensor& degrees) {
  return torch::where(degrees > 0, degrees.clamp_min(1e-300).rsqrt(), torch::zeros_like(degrees));
}

}  // namespace

torch::Tensor top_eigenvectors(const torch::Tensor& symmetric, int64_t k, int64_t exact_up_to) {
  const int64_t n = symmetric.size(0);
  if (n <= exact_up_to || 2 * k >= n) {
    return std::get<1>(torch::linalg::eigh(symmetric, "L")).narrow(1, n - k, k);  // eigenvalues ascending
  }
  // Subspace iteration from a seeded Gaussian start (Halko, Martinsson & Tropp 2011, alg. 4.4):
  // 2k columns, 8 power steps re-orthonormalised, then Rayleigh–Ritz on the small projection.
  const int64_t width = std::min(n, 2 * k);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  torch::Tensor basis = torch::randn({n, width}, generator, symmetric.options());
  for (int step = 0; step < 8; ++step) basis = std::get<0>(torch::linalg::qr(symmetric.mm(basis)));
  const torch::Tensor small = basis.t().mm(symmetric.mm(basis));
  const torch::Tensor ritz = std::get<1>(torch::linalg::eigh((small + small.t()) / 2, "L")).narrow(1, width - k, k);
  return basis.mm(ritz);
}

namespace {

// R̃ᵀR̃ = D_I^{-1/2} Xᵀ D_U^{-1} X D_I^{-1/2}, restricted to `outputs` columns.
torch::Tensor gfcf_columns(const SparseRows& rows, const torch::Tensor& outputs, int64_t rank, double alpha) {
  const torch::Tensor degrees = rows.column_sums();
  const torch::Tensor scale = inverse_sqrt(degrees);
  const int64_t kept = std::min<int64_t>(rank, rows.width);
  const bool low_pass = kept > 0 && alpha != 0.0;
  const torch::Tensor columns = low_pass ? torch::arange(rows.width) : outputs;
  // In place throughout: the item × item matrix is the fit's memory.
  torch::Tensor gram = weighted_gram(rows, rows.width, columns, true, torch::kDouble);
  gram.mul_(scale.unsqueeze(1)).mul_(scale.index_select(0, columns).unsqueeze(0));
  if (!low_pass) return gram.to(torch::kFloat);
  torch::Tensor weights = gram.index_select(1, outputs);  // the linear filter R̃ᵀR̃
  // The right singular vectors of R̃ are the eigenvectors of R̃ᵀR̃.
  const torch::Tensor vectors = top_eigenvectors(gram, kept);
  torch::Tensor ideal = vectors.mm(vectors.index_select(0, outputs).t());
  // The reference's D_I^{-1/2} V Vᵀ D_I^{1/2}; items without training interactions read nothing.
  ideal.mul_(scale.unsqueeze(1)).mul_(degrees.index_select(0, outputs).sqrt().unsqueeze(0));
  return weights.add_(ideal, alpha).to(torch::kFloat);
}

// Binary rows of a dense 0/1 matrix.
SparseRows rows_of(const torch::Tensor& x) {
  const torch::Tensor nz = x.nonzero();
  const torch::Tensor r = nz.select(1, 0).contiguous(), c = nz.select(1, 1).contiguous();
  return make_binary_rows(x.size(0), x.size(1), std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel()),
                          std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()));
}

torch::Tensor every_item(const torch::Tensor& x) { return torch::arange(x.size(1)); }

}  // namespace

torch::Tensor item_weights(const ItemSimilarityOptions& o, const SparseRows& rows, const torch::Tensor& outputs) {
  torch::NoGradGuard no_grad;
  if (o.kind == "itemknn") return itemknn_columns(rows, outputs, o.neighbours, o.shrink);
  if (o.kind == "ease") return ease_columns(rows, outputs, o.lambda);
  return gfcf_columns(rows, outputs, o.rank, o.alpha);
}

torch::Tensor item_weights(const ItemSimilarityOptions& o, const torch::Tensor& x, const torch::Tensor& outputs) {
  return item_weights(o, rows_of(x), outputs);
}

torch::Tensor itemknn_weights(const torch::Tensor& x, int64_t neighbours, double shrink) {
  return itemknn_columns(rows_of(x), every_item(x), neighbours, shrink);
}
torch::Tensor ease_weights(const torch::Tensor& x, double lambda) { return ease_columns(rows_of(x), every_item(x), lambda); }
torch::Tensor gfcf_weights(const torch::Tensor& x, int64_t rank, double alpha) {
  return gfcf_columns(rows_of(x), every_item(x), rank, alpha);
}

torch::Tensor gram_columns(const SparseRows& rows, int64_t inputs, const torch::Tensor& outputs) {
  torch::NoGradGuard no_grad;
  return weighted_gram(rows, inputs, outputs, false, torch::kFloat);
}

torch::Tensor SparseRows::column_sums() const {
  std::vector<double> sums(static_cast<size_t>(width), 0.0);
  for (size_t k = 0; k < columns.size(); ++k) sums[columns[k]] += values.empty() ? 1.0 : values[k];
  return torch::tensor(sums, torch::kDouble);
}

int64_t SparseRows::non_empty_rows() const {
  int64_t n = 0;
  for (int64_t r = 0; r < num_rows(); ++r) n += offsets[r + 1] > offsets[r];
  return n;
}

torch::Tensor SparseRows::dense(const torch::Tensor& rows) const {
  const torch::Tensor ids = rows.to(torch::kInt64).contiguous();
  const int64_t* r = ids.data_ptr<int64_t>();
  torch::Tensor out = torch::zeros({ids.size(0), width});
  float* o = out.data_ptr<float>();
  for (int64_t b = 0; b < ids.size(0); ++b) {
    for (int64_t k = offsets[r[b]]; k < offsets[r[b] + 1]; ++k) {
      o[b * width + columns[k]] = values.empty() ? 1.0f : values[k];
    }
  }
  return out;
}

SparseRows make_binary_rows(int64_t rows, int64_t width, const std::vector<int64_t>& row,
                            const std::vector<int64_t>& column) {
  std::vector<std::vector<int64_t>> lists(static_cast<size_t>(rows));
  for (size_t k = 0; k < row.size(); ++k) lists[row[k]].push_back(column[k]);
  SparseRows out;
  out.width = width;
  for (std::vector<int64_t>& list : lists) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    out.columns.insert(out.columns.end(), list.begin(), list.end());
    out.offsets.push_back(static_cast<int64_t>(out.columns.size()));
  }
  return out;
}

RowScorer::RowScorer(std::string name, SparseRows rows, torch::Tensor weights, torch::Tensor bias)
    : name_(std::move(name)), rows_(std::move(rows)), weights_t_(weights.t().contiguous()), bias_(std::move(bias)) {
  TORCH_CHECK(weights.dim() == 2 && weights.size(0) == rows_.width, "RowScorer: weights must be [", rows_.width,
              ", I_out], got ", weights.sizes());
  TORCH_CHECK(!bias_.defined() || bias_.sizes() == torch::IntArrayRef{weights.size(1)},
              "RowScorer: bias must be [", weights.size(1), "]");
}

torch::Tensor RowScorer::item_columns() const {
  return bias_.defined() ? torch::cat({weights_t_, bias_.unsqueeze(1)}, 1) : weights_t_;
}

Representations RowScorer::represent() {
  const torch::Tensor items = item_columns();
  return {torch::zeros({1, items.size(1)}).expand({rows_.num_rows(), items.size(1)}), items};
}

torch::Tensor RowScorer::score_all_items(const Representations&, const torch::Tensor& users) {
  torch::Tensor scores = rows_.dense(users).mm(weights_t_.t());
  return bias_.defined() ? scores + bias_.unsqueeze(0) : scores;
}

torch::Tensor RowScorer::score_pairs(const Representations& r, const torch::Tensor& users, const torch::Tensor& items) {
  const auto [distinct, position, counts] = torch::_unique2(users, /*sorted=*/true, /*return_inverse=*/true);
  return score_all_items(r, distinct).index({position, items});
}

torch::Tensor RowScorer::batch_l2(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  return torch::zeros({});
}

Representations RowScorer::dense_representations() const {
  torch::Tensor users = rows_.dense(torch::arange(rows_.num_rows()));
  if (bias_.defined()) users = torch::cat({users, torch::ones({users.size(0), 1})}, 1);
  return {users, item_columns()};
}

std::shared_ptr<RowScorer> fit_item_similarity(const ItemSimilarityOptions& options, SparseRows rows) {
  check_item_similarity_memory(options, rows.non_empty_rows(), rows.width, rows.width);
  const torch::Tensor weights = item_weights(options, rows, torch::arange(rows.width));
  return std::make_shared<RowScorer>(options.kind, std::move(rows), weights);
}

}  // namespace graft::gnn
