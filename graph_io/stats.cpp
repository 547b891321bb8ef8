// compute_stats: counts, degree quantiles, overlap between domains (users, and items by external
// id), the connected components of each domain's user–item graph through Boost.Graph, the shape
// of its feature blocks, and its behaviours (stats_behaviors.cpp).
#include "graph_io/stats.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

namespace graft::io {

namespace {

// min, 25%, 50%, 75%, 90%, 99%, max with linear interpolation between order statistics (the
// default of numpy.quantile); all zeros for an empty population.
std::vector<double> degree_quantiles(std::vector<int64_t> degrees) {
  static constexpr double kLevels[] = {0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0};
  std::vector<double> out;
  std::sort(degrees.begin(), degrees.end());
  for (const double q : kLevels) {
    if (degrees.empty()) {
      out.push_back(0.0);
      continue;
    }
    const double position = q * static_cast<double>(degrees.size() - 1);
    const auto lower = static_cast<size_t>(std::floor(position));
    const size_t upper = std::min(lower + 1, degrees.size() - 1);
    const double fraction = position - static_cast<double>(lower);
    out.push_back(static_cast<double>(degrees[lower]) +
                  fraction * static_cast<double>(degrees[upper] - degrees[lower]));
  }
  return out;
}

// Components of the bipartite graph whose nodes are the users and items with an interaction.
void fill_components(const Domain& domain, const std::vector<int64_t>& user_degree,
                     const std::vector<int64_t>& item_degree, DomainStats& stats) {
  std::vector<int64_t> node_of_user(user_degree.size(), -1), node_of_item(item_degree.size(), -1);
  int64_t nodes = 0;
  for (size_t u = 0; u < user_degree.size(); ++u) {
    if (user_degree[u] > 0) node_of_user[u] = nodes++;
  }
  for (size_t i = 0; i < item_degree.size(); ++i) {
    if (item_degree[i] > 0) node_of_item[i] = nodes++;
  }
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  Graph graph(static_cast<size_t>(nodes));
  const Interactions& x = domain.interactions;
  for (size_t r = 0; r < x.size(); ++r) {
    boost::add_edge(static_cast<size_t>(node_of_user[x.user[r]]), static_cast<size_t>(node_of_item[x.item[r]]),
                    graph);
  }
  std::vector<int64_t> component(static_cast<size_t>(nodes));
  stats.components = nodes == 0 ? 0 : boost::connected_components(graph, component.data());
  std::vector<int64_t> sizes(static_cast<size_t>(stats.components), 0);
  for (const int64_t c : component) ++sizes[c];
  stats.largest_component = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
}

FeatureStats feature_stats(const FeatureBlock& block, const char* of) {
  FeatureStats s;
  s.name = block.name;
  s.of = of;
  s.kind = block.kind;
  s.width = block.width;
  s.rows = block.rows;
  s.missing = block.num_missing();
  const int64_t with_value = s.rows - s.missing;
  if (block.kind == FeatureKind::kSparse && with_value > 0) {
    s.nonzeros_per_row = static_cast<double>(block.indices.size()) / static_cast<double>(with_value);
  }
  return s;
}

// Per ordered pair of domains (a, b): a's items whose external id b has too, and the share of
// a's interactions on them.
void fill_shared_items(const Dataset& dataset, std::vector<DomainStats>& stats) {
  std::vector<std::unordered_set<std::string_view>> ids(dataset.domains.size());
  for (size_t d = 0; d < ids.size(); ++d) {
    ids[d].reserve(dataset.domains[d].item_ids.size());
    for (const std::string& id : dataset.domains[d].item_ids) ids[d].insert(id);
  }
  for (size_t a = 0; a < ids.size(); ++a) {
    const Domain& domain = dataset.domains[a];
    for (size_t b = 0; b < ids.size(); ++b) {
      if (a == b) continue;
      std::vector<bool> in_b(domain.item_ids.size());
      int64_t shared = 0;
      for (size_t i = 0; i < in_b.size(); ++i) {
        in_b[i] = ids[b].count(domain.item_ids[i]) > 0;
        shared += in_b[i];
      }
      int64_t on_shared = 0;
      for (const int64_t item : domain.interactions.item) on_shared += in_b[static_cast<size_t>(item)];
      const auto n = static_cast<double>(domain.interactions.size());
      stats[a].shared_items[dataset.domains[b].name] = shared;
      stats[a].interactions_on_shared_items[dataset.domains[b].name] = n == 0 ? 0.0 : on_shared / n;
    }
  }
}

}  // namespace

DatasetStats compute_stats(const Dataset& dataset) {
  DatasetStats out;
  out.users = dataset.num_users();
  const auto num_users = static_cast<size_t>(dataset.num_users());
  std::vector<std::vector<bool>> active;  // per domain, per user: has an interaction there

  for (const Domain& domain : dataset.domains) {
    DomainStats s;
    s.name = domain.name;
    const Interactions& x = domain.interactions;
    std::vector<int64_t> user_degree(num_users, 0), item_degree(static_cast<size_t>(domain.num_items()), 0);
    for (size_t r = 0; r < x.size(); ++r) {
      ++user_degree[x.user[r]];
      ++item_degree[x.item[r]];
    }
    std::vector<int64_t> active_degrees;
    active.emplace_back(num_users, false);
    for (size_t u = 0; u < num_users; ++u) {
      if (user_degree[u] > 0) {
        active_degrees.push_back(user_degree[u]);
        active.back()[u] = true;
      }
    }
    s.users = static_cast<int64_t>(active_degrees.size());
    s.items = domain.num_items();
    s.categories = domain.num_categories();
    s.interactions = static_cast<int64_t>(x.size());
    s.density = s.users * s.items == 0
                    ? 0.0
                    : static_cast<double>(s.interactions) / (static_cast<double>(s.users) * static_cast<double>(s.items));
    s.user_degree_quantiles = degree_quantiles(active_degrees);
    s.item_degree_quantiles = degree_quantiles(item_degree);
    fill_components(domain, user_degree, item_degree, s);
    for (const Split& split : dataset.splits) {
      if (const DomainSplit* part = split.part(domain.name)) {
        s.cold_start_users_per_split[split.name] = static_cast<int64_t>(part->cold_start_users.size());
      }
    }
    for (const FeatureBlock& block : domain.item_features) s.features.push_back(feature_stats(block, "item"));
    for (const FeatureBlock& block : domain.user_features) s.features.push_back(feature_stats(block, "user"));
    s.behaviors = behavior_stats(domain);
    out.domains.push_back(std::move(s));
  }

  for (size_t a = 0; a < out.domains.size(); ++a) {
    for (size_t b = 0; b < out.domains.size(); ++b) {
      if (a == b) continue;
      int64_t both = 0;
      for (size_t u = 0; u < num_users; ++u) both += active[a][u] && active[b][u];
      out.domains[a].shared_users[out.domains[b].name] = both;
    }
  }
  fill_shared_items(dataset, out.domains);
  out.splits = split_stats(dataset);
  return out;
}

}  // namespace graft::io
