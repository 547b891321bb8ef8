// Text forms of DatasetStats: aligned tables for people, JSON (layout in stats.h) for scripts.
#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "graph_io/stats.h"

namespace graft::io {

namespace {

const char* const kQuantileNames[] = {"min", "p25", "p50", "p75", "p90", "p99", "max"};
const char* const kQuantileHeaders[] = {"min", "25%", "50%", "75%", "90%", "99%", "max"};

// Up to two decimals, trailing zeros dropped: 2, 2.5, 2.97.
std::string format_degree(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string format_density(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

// Rows of cells as columns: the first `name_columns` left-aligned, the others (numbers)
// right-aligned, two spaces between columns.
std::string aligned(const std::vector<std::vector<std::string>>& rows, size_t name_columns = 1) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      line += c < name_columns ? row[c] + pad : pad + row[c];
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

// "41.2%" for 0.4123.
std::string format_percent(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * share);
  return buffer;
}

std::map<std::string, std::string> counts(const std::map<std::string, int64_t>& values) {
  std::map<std::string, std::string> cells;
  for (const auto& [key, value] : values) cells[key] = std::to_string(value);
  return cells;
}

// A domain × domain table titled `title`: row d, column other holds cells_of(d)[other] ("-" on
// the diagonal and where absent).
template <typename Cells>
std::string pair_table(const DatasetStats& stats, const std::string& title, Cells cells_of) {
  std::vector<std::vector<std::string>> rows = {{title}};
  for (const DomainStats& d : stats.domains) rows[0].push_back(d.name);
  for (const DomainStats& d : stats.domains) {
    const std::map<std::string, std::string> cells = cells_of(d);
    std::vector<std::string> row = {d.name};
    for (const DomainStats& other : stats.domains) {
      const auto it = cells.find(other.name);
      row.push_back(it == cells.end() || other.name == d.name ? "-" : it->second);
    }
    rows.push_back(std::move(row));
  }
  return aligned(rows);
}

// Per behaviour of each typed domain: its interactions, its distinct pairs and, per other
// behaviour, how many of those pairs occur there too; no rows when no domain has behaviours.
std::vector<std::vector<std::string>> behavior_rows(const DatasetStats& stats) {
  std::vector<std::string> present;  // in code order, over every domain
  for (int b = 0; b < kNumBehaviors; ++b) {
    const std::string name = behavior_name(static_cast<Behavior>(b));
    for (const DomainStats& d : stats.domains) {
      const bool has = std::any_of(d.behaviors.begin(), d.behaviors.end(),
                                   [&](const BehaviorStats& s) { return s.name == name; });
      if (has && std::find(present.begin(), present.end(), name) == present.end()) present.push_back(name);
    }
  }
  std::vector<std::vector<std::string>> rows = {{"behaviour", "interactions", "pairs"}};
  for (const std::string& name : present) rows[0].push_back("also " + name);
  for (const DomainStats& d : stats.domains) {
    for (const BehaviorStats& b : d.behaviors) {
      std::vector<std::string> row = {d.name + " " + b.name, std::to_string(b.interactions), std::to_string(b.pairs)};
      for (const std::string& other : present) {
        const auto it = b.pairs_also_in.find(other);
        row.push_back(it == b.pairs_also_in.end() ? "-" : std::to_string(it->second));
      }
      rows.push_back(std::move(row));
    }
  }
  return rows.size() > 1 ? rows : std::vector<std::vector<std::string>>{};
}

// Per split and domain: interactions (users) of train, valid and test, cold-start users and the
// sampled negatives per held-out case.
std::vector<std::vector<std::string>> split_rows(const DatasetStats& stats) {
  std::vector<std::vector<std::string>> rows = {{"split", "kind", "domain", "train", "users", "valid", "users", "test",
                                                 "users", "cold-start users", "negatives"}};
  for (const SplitPartStats& s : stats.splits) {
    std::vector<std::string> row = {s.split, s.kind, s.domain};
    for (const SplitPartStats::Part* part : {&s.train, &s.valid, &s.test}) {
      row.push_back(std::to_string(part->interactions));
      row.push_back(std::to_string(part->users));
    }
    row.push_back(std::to_string(s.cold_start_users));
    row.push_back(std::to_string(s.negatives_per_case));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string format_stats_table(const DatasetStats& stats) {
  std::string out = "dataset: " + std::to_string(stats.users) + " users, " + std::to_string(stats.domains.size()) +
                    " domains\n";

  std::vector<std::vector<std::string>> overview = {
      {"domain", "users", "items", "categories", "interactions", "density", "components", "largest component"}};
  for (const DomainStats& d : stats.domains) {
    overview.push_back({d.name, std::to_string(d.users), std::to_string(d.items), std::to_string(d.categories),
                        std::to_string(d.interactions), format_density(d.density), std::to_string(d.components),
                        std::to_string(d.largest_component)});
  }
  out += "\n" + aligned(overview);

  std::vector<std::vector<std::string>> degrees = {{"degree"}};
  degrees[0].insert(degrees[0].end(), std::begin(kQuantileHeaders), std::end(kQuantileHeaders));
  for (const DomainStats& d : stats.domains) {
    for (const auto& [who, quantiles] : {std::pair{"users", &d.user_degree_quantiles},
                                         std::pair{"items", &d.item_degree_quantiles}}) {
      std::vector<std::string> row = {d.name + " " + who};
      for (const double q : *quantiles) row.push_back(format_degree(q));
      degrees.push_back(std::move(row));
    }
  }
  out += "\n" + aligned(degrees);

  if (stats.domains.size() > 1) {
    out += "\n" + pair_table(stats, "shared users", [](const DomainStats& d) { return counts(d.shared_users); });
    out += "\n" + pair_table(stats, "shared items", [](const DomainStats& d) { return counts(d.shared_items); });
    out += "\n" + pair_table(stats, "interactions on items also in", [](const DomainStats& d) {
      std::map<std::string, std::string> cells;
      for (const auto& [other, share] : d.interactions_on_shared_items) cells[other] = format_percent(share);
      return cells;
    });
  }

  if (!stats.splits.empty()) out += "\n" + aligned(split_rows(stats), 3);

  const std::vector<std::vector<std::string>> behaviors = behavior_rows(stats);
  if (!behaviors.empty()) out += "\n" + aligned(behaviors);

  std::vector<std::vector<std::string>> features = {
      {"domain", "features", "of", "kind", "width", "rows", "missing", "nonzeros per row"}};
  for (const DomainStats& d : stats.domains) {
    for (const FeatureStats& f : d.features) {
      features.push_back({d.name, f.name, f.of, feature_kind_name(f.kind), std::to_string(f.width),
                          std::to_string(f.rows), std::to_string(f.missing),
                          f.kind == FeatureKind::kSparse ? format_degree(f.nonzeros_per_row) : "-"});
    }
  }
  if (features.size() > 1) out += "\n" + aligned(features, 4);
  return out;
}

std::string format_stats_json(const DatasetStats& stats) {
  using Json = nlohmann::ordered_json;
  const auto quantiles = [](const std::vector<double>& values) {
    Json q = Json::object();
    for (size_t i = 0; i < values.size(); ++i) q[kQuantileNames[i]] = values[i];
    return q;
  };
  const auto features = [](const std::vector<FeatureStats>& blocks) {
    Json out = Json::array();
    for (const FeatureStats& f : blocks) {
      out.push_back({{"name", f.name},
                     {"of", f.of},
                     {"kind", feature_kind_name(f.kind)},
                     {"width", f.width},
                     {"rows", f.rows},
                     {"missing", f.missing},
                     {"nonzeros_per_row", f.kind == FeatureKind::kSparse ? Json(f.nonzeros_per_row) : Json(nullptr)}});
    }
    return out;
  };
  const auto behaviors = [](const std::vector<BehaviorStats>& list) {
    Json out = Json::array();
    for (const BehaviorStats& b : list) {
      out.push_back({{"name", b.name}, {"interactions", b.interactions}, {"pairs", b.pairs},
                     {"pairs_also_in", b.pairs_also_in}});
    }
    return out;
  };
  Json domains = Json::array();
  for (const DomainStats& d : stats.domains) {
    domains.push_back({{"name", d.name},
                       {"users", d.users},
                       {"items", d.items},
                       {"categories", d.categories},
                       {"interactions", d.interactions},
                       {"density", d.density},
                       {"user_degree", quantiles(d.user_degree_quantiles)},
                       {"item_degree", quantiles(d.item_degree_quantiles)},
                       {"components", d.components},
                       {"largest_component", d.largest_component},
                       {"shared_users", d.shared_users},
                       {"shared_items", d.shared_items},
                       {"interactions_on_shared_items", d.interactions_on_shared_items},
                       {"cold_start_users", d.cold_start_users_per_split},
                       {"features", features(d.features)},
                       {"behaviors", behaviors(d.behaviors)}});
  }
  Json splits = Json::array();
  for (const SplitPartStats& s : stats.splits) {
    const auto part = [](const SplitPartStats::Part& p) { return Json{{"interactions", p.interactions}, {"users", p.users}}; };
    splits.push_back({{"split", s.split}, {"kind", s.kind}, {"domain", s.domain}, {"train", part(s.train)},
                      {"valid", part(s.valid)}, {"test", part(s.test)}, {"cold_start_users", s.cold_start_users},
                      {"negatives_per_case", s.negatives_per_case}});
  }
  const Json root = {{"users", stats.users}, {"domains", domains}, {"splits", splits}};
  return root.dump(2) + "\n";
}

}  // namespace graft::io
