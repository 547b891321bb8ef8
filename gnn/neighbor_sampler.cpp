#include "gnn/neighbor_sampler.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {

namespace {

// Picks k of the deg positions [begin, begin + deg) without replacement, in ascending order
// (Floyd's algorithm: k draws whatever deg is), from the node's own SplitMix64 stream (seeding a
// Mersenne Twister per node dominated the sampling).
void choose(int64_t begin, int64_t deg, int64_t k, io::SplitMix64& rng, int64_t* out) {
  int64_t* chosen = out;
  for (int64_t j = deg - k, n = 0; j < deg; ++j, ++n) {
    const auto t = static_cast<int64_t>(io::draw_below(rng, static_cast<uint64_t>(j + 1)));
    chosen[n] = std::find(chosen, chosen + n, t) == chosen + n ? t : j;
  }
  std::sort(chosen, chosen + k);
  for (int64_t c = 0; c < k; ++c) out[c] = begin + chosen[c];
}

uint64_t node_seed(uint64_t layer_seed, int64_t node) {
  return layer_seed ^ (static_cast<uint64_t>(node) * 0xd1b54a32d192ed03ull);
}

// Priority sampling of `budget` of the candidates with weights √squared_norm: each candidate's
// column scale, max(1, τ / w) when kept, 0 when not. A node's uniform comes from its own stream,
// and ties go to the smaller node id, so the choice depends on the seed and the nodes only.
std::vector<double> priority_sample(const std::vector<int64_t>& candidate, const std::vector<double>& squared_norm,
                                    int64_t budget, uint64_t budget_seed) {
  const size_t count = candidate.size();
  std::vector<double> weight(count), priority(count);
  for (size_t k = 0; k < count; ++k) {
    io::SplitMix64 rng(node_seed(budget_seed, candidate[k]));
    const double u = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;  // in (0, 1]
    weight[k] = std::sqrt(squared_norm[k]);
    priority[k] = weight[k] / u;
  }
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  const auto higher = [&](size_t a, size_t b) {
    return priority[a] != priority[b] ? priority[a] > priority[b] : candidate[a] < candidate[b];
  };
  const auto kept = static_cast<size_t>(budget);
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(), higher);
  const double threshold = priority[order[kept]];  // the (budget + 1)-th highest
  std::vector<double> scale(count, 0.0);
  for (size_t j = 0; j < kept; ++j) {
    const size_t k = order[j];
    scale[k] = threshold > 0.0 ? std::max(1.0, threshold / weight[k]) : 1.0;
  }
  return scale;
}

}  // namespace

int64_t SampledBlocks::edges() const {
  int64_t total = 0;
  for (const SparseGraph& b : blocks) total += b.nnz();
  return total;
}

// One layer's draw: per destination row, the chosen CSR positions, rows laid out by `offset`.
struct NeighborSampler::LayerDraw {
  std::vector<int64_t> offset;     // [rows + 1]
  std::vector<int64_t> position;   // CSR positions of the chosen neighbours
  std::vector<double> scale;       // per row: deg / k
};

NeighborSampler::NeighborSampler(const SparseGraph& graph, std::vector<int64_t> fanouts, int64_t node_budget)
    : value_dtype_(graph.csr().value.scalar_type()), fanouts_(std::move(fanouts)), node_budget_(node_budget) {
  if (fanouts_.empty()) throw io::UsageError("neighbour sampling needs a fan-out per layer, got none");
  TORCH_CHECK(graph.rows() == graph.cols(), "NeighborSampler: the graph must be square, got ", graph.rows(), " × ",
              graph.cols());
  const Csr& csr = graph.csr();
  const torch::Tensor rows = csr.row_ptr.to(torch::kCPU, torch::kInt64).contiguous();
  const torch::Tensor cols = csr.col.to(torch::kCPU, torch::kInt64).contiguous();
  const torch::Tensor values = csr.value.to(torch::kCPU, torch::kFloat64).contiguous();
  row_ptr_.assign(rows.data_ptr<int64_t>(), rows.data_ptr<int64_t>() + rows.numel());
  col_.assign(cols.data_ptr<int64_t>(), cols.data_ptr<int64_t>() + cols.numel());
  value_.assign(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
}

bool NeighborSampler::exact() const {
  return node_budget_ <= 0 && std::all_of(fanouts_.begin(), fanouts_.end(), [](int64_t f) { return f <= 0; });
}

NeighborSampler::LayerDraw NeighborSampler::draw_layer(const std::vector<int64_t>& frontier, int64_t fanout,
                                                       uint64_t layer_seed) const {
  const auto rows = static_cast<int64_t>(frontier.size());
  LayerDraw draw{std::vector<int64_t>(static_cast<size_t>(rows) + 1, 0), {}, std::vector<double>(static_cast<size_t>(rows), 1.0)};
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t deg = row_ptr_[frontier[r] + 1] - row_ptr_[frontier[r]];
    const int64_t k = fanout <= 0 ? deg : std::min(deg, fanout);
    draw.offset[r + 1] = draw.offset[r] + k;
    if (k > 0) draw.scale[r] = static_cast<double>(deg) / static_cast<double>(k);
  }
  draw.position.resize(static_cast<size_t>(draw.offset[rows]));
  at::parallel_for(0, rows, 256, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t begin = row_ptr_[frontier[r]], deg = row_ptr_[frontier[r] + 1] - begin;
      const int64_t k = draw.offset[r + 1] - draw.offset[r];
      int64_t* dst = draw.position.data() + draw.offset[r];
      if (k == deg) {
        for (int64_t j = 0; j < deg; ++j) dst[j] = begin + j;
      } else {
        io::SplitMix64 rng(node_seed(layer_seed, frontier[r]));
        choose(begin, deg, k, rng, dst);
      }
    }
  });
  return draw;
}

// Appends the draw's new nodes that the budget admits to the frontier, in the order they are met,
// and returns each admitted node's column scale (1 when every candidate is admitted).
std::vector<double> NeighborSampler::admit_new_nodes(const LayerDraw& draw, std::vector<int64_t>& frontier,
                                                     uint64_t budget_seed) const {
  std::vector<int64_t>& local = local_;
  std::vector<int64_t> candidate;
  std::vector<double> squared_norm;
  const auto rows = static_cast<int64_t>(frontier.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t e = draw.offset[r]; e < draw.offset[r + 1]; ++e) {
      const int64_t p = draw.position[static_cast<size_t>(e)];
      int64_t& at = local[col_[p]];
      if (at == -1) {
        at = -2 - static_cast<int64_t>(candidate.size());
        candidate.push_back(col_[p]);
        squared_norm.push_back(0.0);
      }
      if (at <= -2) squared_norm[static_cast<size_t>(-2 - at)] += std::pow(value_[p] * draw.scale[r], 2);
    }
  }
  std::vector<double> scale(candidate.size(), 1.0);
  if (node_budget_ > 0 && static_cast<int64_t>(candidate.size()) > node_budget_) {
    scale = priority_sample(candidate, squared_norm, node_budget_, budget_seed);
  }
  std::vector<double> admitted_scale;
  for (size_t k = 0; k < candidate.size(); ++k) {
    if (scale[k] > 0.0) {
      local[candidate[k]] = static_cast<int64_t>(frontier.size());
      frontier.push_back(candidate[k]);
      admitted_scale.push_back(scale[k]);
    } else {
      local[candidate[k]] = -1;
    }
  }
  return admitted_scale;
}

// The layer's block: rows × cols, the draw's entries whose columns are in the frontier, those of
// the nodes admitted this layer (positions rows… after the frontier's rows) scaled by new_scale.
SparseGraph NeighborSampler::block(const LayerDraw& draw, int64_t rows, const std::vector<double>& new_scale,
                                   int64_t cols) const {
  const int64_t most = draw.offset[rows];
  torch::Tensor row = torch::empty({most}, torch::kInt64), col = torch::empty({most}, torch::kInt64);
  torch::Tensor value = torch::empty({most}, torch::kFloat64);
  int64_t* row_p = row.data_ptr<int64_t>();
  int64_t* col_p = col.data_ptr<int64_t>();
  double* value_p = value.data_ptr<double>();
  int64_t nnz = 0;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t e = draw.offset[r]; e < draw.offset[r + 1]; ++e) {
      const int64_t p = draw.position[static_cast<size_t>(e)];
      const int64_t at = local_[col_[p]];
      if (at < 0) continue;  // not admitted by the budget
      const double column_scale = at >= rows ? new_scale[static_cast<size_t>(at - rows)] : 1.0;
      row_p[nnz] = r;
      col_p[nnz] = at;
      value_p[nnz] = value_[p] * draw.scale[r] * column_scale;
      ++nnz;
    }
  }
  return SparseGraph::from_coo(rows, cols, row.narrow(0, 0, nnz), col.narrow(0, 0, nnz),
                               value.narrow(0, 0, nnz).to(value_dtype_));
}

SampledBlocks NeighborSampler::sample(const torch::Tensor& seeds, uint64_t seed) const {
  const int64_t n = static_cast<int64_t>(row_ptr_.size()) - 1;
  const torch::Tensor seed_ids = seeds.to(torch::kCPU, torch::kInt64).contiguous();
  std::vector<int64_t> frontier(seed_ids.data_ptr<int64_t>(), seed_ids.data_ptr<int64_t>() + seed_ids.numel());
  for (const int64_t v : frontier) {
    if (v < 0 || v >= n) throw std::invalid_argument("NeighborSampler: seed node " + std::to_string(v) + " is not in [0, " + std::to_string(n) + ")");
  }
  std::lock_guard<std::mutex> lock(scratch_mutex_);
  if (local_.empty()) local_.assign(static_cast<size_t>(n), -1);
  for (size_t k = 0; k < frontier.size(); ++k) local_[frontier[k]] = static_cast<int64_t>(k);
  const size_t layers = fanouts_.size();
  SampledBlocks out;
  out.sizes.assign(layers + 1, 0);
  out.blocks.resize(layers);
  out.sizes[layers] = static_cast<int64_t>(frontier.size());
  for (size_t l = layers; l-- > 0;) {  // from the seeds outward: block l computes layer l + 1
    const auto rows = static_cast<int64_t>(frontier.size());
    const LayerDraw draw = draw_layer(frontier, fanouts_[l], io::derive_seed(seed, "layer/" + std::to_string(l)));
    const std::vector<double> new_scale = admit_new_nodes(draw, frontier, io::derive_seed(seed, "budget/" + std::to_string(l)));
    out.sizes[l] = static_cast<int64_t>(frontier.size());
    out.blocks[l] = block(draw, rows, new_scale, out.sizes[l]);
  }
  for (const int64_t v : frontier) local_[v] = -1;  // ready for the next call, in O(subgraph)
  out.nodes = torch::tensor(frontier, torch::kInt64);
  return out;
}

SeedBatch seed_batch(const torch::Tensor& users, const torch::Tensor& positives, const torch::Tensor& negatives,
                     int64_t user_count) {
  const int64_t b = users.size(0);
  const auto [distinct_users, user_at] = at::_unique(users, /*sorted=*/true, /*return_inverse=*/true);
  const auto [distinct_items, item_at] = at::_unique(torch::cat({positives, negatives}), true, true);
  SeedBatch out;
  out.seeds = torch::cat({distinct_users, distinct_items + user_count});
  out.users = distinct_users.size(0);
  out.user_at = user_at;
  out.positive_at = item_at.narrow(0, 0, b);
  out.negative_at = item_at.narrow(0, b, b);
  return out;
}

std::string describe_node_budget(int64_t node_budget) {
  return node_budget > 0 ? std::to_string(node_budget) : "none";
}

std::string describe_fanouts(const std::vector<int64_t>& fanouts) {
  if (std::all_of(fanouts.begin(), fanouts.end(), [](int64_t f) { return f <= 0; })) return "all";
  std::string out;
  for (const int64_t f : fanouts) out += (out.empty() ? "" : ",") + (f <= 0 ? std::string("all") : std::to_string(f));
  return out;
}

}  // namespace graft::gnn
