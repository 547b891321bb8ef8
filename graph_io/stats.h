// Dataset statistics, graph ones (components) through Boost.Graph.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

struct DomainStats {
  std::string name;
  int64_t users = 0;         // users with at least one interaction in the domain
  int64_t items = 0;
  int64_t categories = 0;
  int64_t interactions = 0;
  double density = 0.0;      // interactions / (users * items)
  // Degree quantiles (min, 25%, 50%, 75%, 90%, 99%, max) of users and of items.
  std::vector<double> user_degree_quantiles, item_degree_quantiles;
  int64_t components = 0;          // connected components of the user–item graph
  int64_t largest_component = 0;   // nodes in the largest one
  std::map<std::string, int64_t> shared_users;                // other domain -> users in both
  std::map<std::string, int64_t> cold_start_users_per_split;  // split -> cold-start users here
};

struct DatasetStats {
  int64_t users = 0;  // global user id space
  std::vector<DomainStats> domains;
};

DatasetStats compute_stats(const Dataset& dataset);
std::string format_stats_table(const DatasetStats& stats);  // human-readable, aligned columns
std::string format_stats_json(const DatasetStats& stats);   // for scripts

}  // namespace graft::io
