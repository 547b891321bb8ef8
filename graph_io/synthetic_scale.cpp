#include "graph_io/synthetic_scale.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>
#include <unordered_set>

#include "graph_io/errors.h"
#include "graph_io/seeded_distributions.h"
#include "graph_io/seeded_random.h"

namespace graft::io {

namespace {

constexpr int64_t kYear = 31536000;

// Cumulative weights rank^(−exponent) over a random permutation of ranks, for drawing by binary
// search.
std::vector<double> zipf_weights(int64_t n, double exponent, std::mt19937_64& rng) {
  std::vector<int64_t> rank(static_cast<size_t>(n));
  std::iota(rank.begin(), rank.end(), 1);
  seeded_shuffle(rank, rng);
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) w[i] = std::pow(static_cast<double>(rank[i]), -exponent);
  return w;
}

// Interactions per user: 1 each, the rest shared ∝ weight, largest remainders first; capped.
std::vector<int64_t> user_counts(const ScaleOptions& o, std::mt19937_64& rng) {
  const std::vector<double> w = zipf_weights(o.users, o.user_exponent, rng);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  const double rest = static_cast<double>(o.interactions - o.users);
  std::vector<int64_t> n(static_cast<size_t>(o.users));
  std::vector<std::pair<double, int64_t>> remainder(static_cast<size_t>(o.users));
  int64_t given = 0;
  for (int64_t u = 0; u < o.users; ++u) {
    const double share = rest * w[u] / total;
    n[u] = 1 + static_cast<int64_t>(share);
    given += n[u];
    remainder[u] = {share - std::floor(share), u};
  }
  std::sort(remainder.begin(), remainder.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (int64_t k = 0; given < o.interactions; ++k, ++given) ++n[remainder[static_cast<size_t>(k)].second];
  // Past the cap, the excess goes one by one to the users below it, heaviest first.
  const int64_t cap = std::max<int64_t>(1, o.items / 4);
  int64_t excess = 0;
  for (int64_t& x : n) excess += std::max<int64_t>(0, x - cap), x = std::min(x, cap);
  std::vector<int64_t> by_weight(static_cast<size_t>(o.users));
  std::iota(by_weight.begin(), by_weight.end(), 0);
  std::stable_sort(by_weight.begin(), by_weight.end(), [&](int64_t a, int64_t b) { return w[a] > w[b]; });
  for (size_t k = 0; excess > 0 && k < by_weight.size() * static_cast<size_t>(cap); ++k) {
    int64_t& x = n[by_weight[k % by_weight.size()]];
    if (x < cap) ++x, --excess;
  }
  return n;
}

// Item popularity as cumulative sums: over all items, and per cluster over the cluster's items
// (cluster c holds items c, c + C, c + 2C, …, stored contiguously from cluster_start[c]).
struct ItemTables {
  std::vector<double> all;          // [items] cumulative
  std::vector<double> by_cluster;   // [items] cumulative within each cluster's run
  std::vector<int64_t> cluster_start;
  int64_t clusters = 1;

  int64_t draw_any(std::mt19937_64& rng) const { return draw(all, 0, static_cast<int64_t>(all.size()), rng); }
  int64_t draw_in(int64_t c, std::mt19937_64& rng) const {
    const int64_t k = draw(by_cluster, cluster_start[c], cluster_start[c + 1], rng) - cluster_start[c];
    return c + k * clusters;
  }
  // Each run [begin, end) of `cum` sums from 0.
  static int64_t draw(const std::vector<double>& cum, int64_t begin, int64_t end, std::mt19937_64& rng) {
    const double x = draw_uniform(rng) * cum[end - 1];
    const auto it = std::upper_bound(cum.begin() + begin, cum.begin() + end, x);
    return std::min<int64_t>(it - cum.begin(), end - 1);
  }
};

ItemTables item_tables(const ScaleOptions& o, std::mt19937_64& rng) {
  const std::vector<double> w = zipf_weights(o.items, o.item_exponent, rng);
  ItemTables t;
  t.clusters = o.clusters;
  t.all.resize(w.size());
  std::partial_sum(w.begin(), w.end(), t.all.begin());
  t.by_cluster.reserve(w.size());
  for (int64_t c = 0; c < o.clusters; ++c) {
    t.cluster_start.push_back(static_cast<int64_t>(t.by_cluster.size()));
    double sum = 0.0;
    for (int64_t i = c; i < o.items; i += o.clusters) t.by_cluster.push_back(sum += w[i]);
  }
  t.cluster_start.push_back(static_cast<int64_t>(t.by_cluster.size()));
  return t;
}

// User u's distinct items and sorted times, written at `items` and `times`.
void draw_user(const ScaleOptions& o, const ItemTables& tables, int64_t u, int64_t n, int64_t* items, int64_t* times) {
  std::mt19937_64 rng(derive_seed(o.seed ^ (static_cast<uint64_t>(u) * 0x9e3779b97f4a7c15ull), "scale/user"));
  const int64_t cluster = static_cast<int64_t>(derive_seed(static_cast<uint64_t>(u), "scale/cluster") % static_cast<uint64_t>(o.clusters));
  std::unordered_set<int64_t> taken;
  taken.reserve(static_cast<size_t>(n) * 2);
  for (int64_t k = 0; k < n; ++k) {
    // The source is chosen once per item, so repeats in a small cluster do not push draws out of it.
    const bool in_cluster = draw_uniform(rng) < o.in_cluster;
    int64_t item = -1;
    for (int tries = 0; tries < 32 && (item < 0 || taken.count(item)); ++tries) {
      item = in_cluster ? tables.draw_in(cluster, rng) : tables.draw_any(rng);
    }
    while (taken.count(item)) item = static_cast<int64_t>(draw_below(rng, static_cast<uint64_t>(o.items)));
    taken.insert(item);
    items[k] = item;
    times[k] = static_cast<int64_t>(draw_below(rng, kYear));
  }
  std::sort(times, times + n);
}

}  // namespace

ScaleOptions resolve_scale_options(const ScaleOptions& options) {
  ScaleOptions o = options;
  const auto bad = [](const std::string& field, const std::string& value, const std::string& rule) {
    throw UsageError("scale preset: " + field + " " + rule + ", got " + value);
  };
  if (o.interactions < 1) bad("interactions", std::to_string(o.interactions), "must be at least 1");
  if (o.users == 0) o.users = std::max<int64_t>(1, o.interactions / 17);
  if (o.items == 0) o.items = std::max<int64_t>(4, o.interactions / 35);
  if (o.users < 1 || o.users > o.interactions) bad("users", std::to_string(o.users), "must be in [1, interactions]");
  if (o.interactions > o.users * std::max<int64_t>(1, o.items / 4)) {
    bad("interactions", std::to_string(o.interactions), "must be at most users × items / 4 (each user takes at most a quarter of the items)");
  }
  if (o.items < 4) bad("items", std::to_string(o.items), "must be at least 4");
  if (o.clusters < 1 || o.clusters > o.items) bad("clusters", std::to_string(o.clusters), "must be in [1, items]");
  if (!(o.in_cluster >= 0.0 && o.in_cluster <= 1.0)) bad("in_cluster", std::to_string(o.in_cluster), "must be in [0, 1]");
  if (!(o.user_exponent >= 0.0) || !(o.item_exponent >= 0.0)) bad("exponents", "a negative value", "must be at least 0");
  if (o.threads < 0) bad("threads", std::to_string(o.threads), "must be at least 0");
  return o;
}

int64_t scale_memory_bytes(const ScaleOptions& options) {
  const ScaleOptions o = resolve_scale_options(options);
  // user, item, time (8 bytes each) in the dataset; item and time again while drawing; per user
  // its count, weight, remainder pair and id string (~40 bytes); per item two cumulative weights,
  // a rank and its id string.
  return o.interactions * 40 + o.users * 80 + o.items * 64;
}

Dataset generate_scale(const ScaleOptions& options) {
  const ScaleOptions o = resolve_scale_options(options);
  std::mt19937_64 rng(derive_seed(o.seed, "scale"));
  const std::vector<int64_t> counts = user_counts(o, rng);
  const ItemTables tables = item_tables(o, rng);
  std::vector<int64_t> offset(counts.size() + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), offset.begin() + 1);
  const int64_t total = offset.back();
  std::vector<int64_t> items(static_cast<size_t>(total)), times(static_cast<size_t>(total));
  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t u = t; u < o.users; u += threads) draw_user(o, tables, u, counts[u], &items[offset[u]], &times[offset[u]]);
    });
  }
  for (std::thread& w : workers) w.join();

  Dataset ds;
  Domain d;
  d.name = "main";
  d.item_ids.reserve(static_cast<size_t>(o.items));
  for (int64_t i = 0; i < o.items; ++i) d.item_ids.push_back("i" + std::to_string(i));
  ds.user_ids.reserve(static_cast<size_t>(o.users));
  for (int64_t u = 0; u < o.users; ++u) ds.user_ids.push_back("u" + std::to_string(u));
  d.interactions.user.resize(static_cast<size_t>(total));
  for (int64_t u = 0; u < o.users; ++u) std::fill(&d.interactions.user[offset[u]], &d.interactions.user[offset[u + 1]], u);
  d.interactions.item = std::move(items);
  d.interactions.time = std::move(times);
  ds.domains.push_back(std::move(d));
  return ds;
}

int64_t parse_size(const std::string& text, const std::string& what, bool binary) {
  size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string suffix = used == 0 ? "" : text.substr(used);
  const double unit = binary ? 1024.0 : 1000.0;
  const double scale = suffix.empty() ? 1.0 : suffix == "K" || suffix == "k" ? unit : suffix == "M" ? unit * unit
                      : suffix == "G" ? unit * unit * unit : -1.0;
  if (used == 0 || scale < 0 || !(value >= 0) || value * scale > 9e18) {
    throw UsageError(what + ": '" + text + "' is not a size (a number with an optional K, M or G, e.g. 10M)");
  }
  return static_cast<int64_t>(std::llround(value * scale));
}

}  // namespace graft::io
