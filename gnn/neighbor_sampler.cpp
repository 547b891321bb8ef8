#include "gnn/neighbor_sampler.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"

namespace graft::gnn {

namespace {

// One layer's draw: per destination row, the chosen CSR positions, rows laid out by `offset`.
struct LayerDraw {
  std::vector<int64_t> offset;     // [rows + 1]
  std::vector<int64_t> position;   // CSR positions of the chosen neighbours
  std::vector<double> scale;       // per row: deg / k
};

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

}  // namespace

int64_t SampledBlocks::edges() const {
  int64_t total = 0;
  for (const SparseGraph& b : blocks) total += b.nnz();
  return total;
}

NeighborSampler::NeighborSampler(const SparseGraph& graph, std::vector<int64_t> fanouts)
    : value_dtype_(graph.csr().value.scalar_type()), fanouts_(std::move(fanouts)) {
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
  return std::all_of(fanouts_.begin(), fanouts_.end(), [](int64_t f) { return f <= 0; });
}

SampledBlocks NeighborSampler::sample(const torch::Tensor& seeds, uint64_t seed) const {
  const int64_t n = static_cast<int64_t>(row_ptr_.size()) - 1;
  const torch::Tensor seed_ids = seeds.to(torch::kCPU, torch::kInt64).contiguous();
  std::vector<int64_t> frontier(seed_ids.data_ptr<int64_t>(), seed_ids.data_ptr<int64_t>() + seed_ids.numel());
  for (const int64_t v : frontier) {
    if (v < 0 || v >= n) throw std::invalid_argument("NeighborSampler: seed node " + std::to_string(v) + " is not in [0, " + std::to_string(n) + ")");
  }
  std::lock_guard<std::mutex> lock(scratch_mutex_);
  std::vector<int64_t>& local = local_;  // global id → position in the frontier, -1 outside it
  if (local.empty()) local.assign(static_cast<size_t>(n), -1);
  for (size_t k = 0; k < frontier.size(); ++k) local[frontier[k]] = static_cast<int64_t>(k);
  const size_t layers = fanouts_.size();
  SampledBlocks out;
  out.sizes.assign(layers + 1, 0);
  out.blocks.resize(layers);
  out.sizes[layers] = static_cast<int64_t>(frontier.size());
  for (size_t l = layers; l-- > 0;) {  // from the seeds outward: block l computes layer l + 1
    const auto rows = static_cast<int64_t>(frontier.size());
    LayerDraw draw{std::vector<int64_t>(static_cast<size_t>(rows) + 1, 0), {}, std::vector<double>(static_cast<size_t>(rows), 1.0)};
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t deg = row_ptr_[frontier[r] + 1] - row_ptr_[frontier[r]];
      const int64_t k = fanouts_[l] <= 0 ? deg : std::min(deg, fanouts_[l]);
      draw.offset[r + 1] = draw.offset[r] + k;
      if (k > 0) draw.scale[r] = static_cast<double>(deg) / static_cast<double>(k);
    }
    draw.position.resize(static_cast<size_t>(draw.offset[rows]));
    const uint64_t layer_seed = io::derive_seed(seed, "layer/" + std::to_string(l));
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
    // New nodes join the frontier in the order they are met, after the nodes already in it.
    const int64_t nnz = draw.offset[rows];
    torch::Tensor row = torch::empty({nnz}, torch::kInt64), col = torch::empty({nnz}, torch::kInt64);
    torch::Tensor value = torch::empty({nnz}, torch::kFloat64);
    int64_t* row_p = row.data_ptr<int64_t>();
    int64_t* col_p = col.data_ptr<int64_t>();
    double* value_p = value.data_ptr<double>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t e = draw.offset[r]; e < draw.offset[r + 1]; ++e) {
        const int64_t p = draw.position[static_cast<size_t>(e)];
        int64_t& at = local[col_[p]];
        if (at < 0) {
          at = static_cast<int64_t>(frontier.size());
          frontier.push_back(col_[p]);
        }
        row_p[e] = r;
        col_p[e] = at;
        value_p[e] = value_[p] * draw.scale[r];
      }
    }
    out.sizes[l] = static_cast<int64_t>(frontier.size());
    out.blocks[l] = SparseGraph::from_coo(rows, out.sizes[l], row, col, value.to(value_dtype_));
  }
  for (const int64_t v : frontier) local[v] = -1;  // ready for the next call, in O(subgraph)
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

std::string describe_fanouts(const std::vector<int64_t>& fanouts) {
  if (std::all_of(fanouts.begin(), fanouts.end(), [](int64_t f) { return f <= 0; })) return "all";
  std::string out;
  for (const int64_t f : fanouts) out += (out.empty() ? "" : ",") + (f <= 0 ? std::string("all") : std::to_string(f));
  return out;
}

}  // namespace graft::gnn
