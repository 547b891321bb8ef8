#include "experiments/report_sources.h"

#include "experiments/report_trials.h"
#include "experiments/significance.h"
#include "experiments/sweep.h"
#include "graph_io/dataset.h"
#include "graph_io/errors.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace graft::exp {
namespace {

constexpr double kAlpha = 0.05;

std::string comma_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

struct Metric {
  std::string group, name;
};

Metric parse_metric(const std::vector<std::string>& metrics) {
  if (metrics.empty()) return {"overall", "ndcg@10"};
  const std::string& m = metrics.front();
  const size_t dot = m.find('.');
  if (metrics.size() != 1 || dot == std::string::npos) {
    throw io::UsageError("--source-effects reads one metric as group.metric (e.g. overall.ndcg@10), got '" + m + "'");
  }
  return {m.substr(0, dot), m.substr(dot + 1)};
}

// A source list in a canonical order, so "ca,uk" and "uk,ca" are one set.
std::string source_set(const std::string& list) {
  std::vector<std::string> names = io::split_names(list);
  std::sort(names.begin(), names.end());
  return comma_list(names);
}

// seed → metric, for one (method, source set) of a section.
using BySeed = std::map<int64_t, double>;

struct Effect {
  std::optional<PairedTest> test;
  std::string verdict() const {
    if (!test) return "n/a";
    if (test->p >= kAlpha) return "neutral";
    return test->mean_difference > 0 ? "improves" : "hurts";
  }
  std::string text() const {
    if (!test) return "n/a";
    return (test->mean_difference >= 0 ? "+" : "") + fixed4(test->mean_difference) + " (p=" + format_p(test->p) + ")";
  }
};

Effect compare(const BySeed& a, const BySeed& b) {
  std::vector<double> x, y;
  for (const auto& [seed, value] : a) {
    const auto it = b.find(seed);
    if (it == b.end()) continue;
    x.push_back(value);
    y.push_back(it->second);
  }
  return {paired_t_test(x, y)};
}

// The trials of one section: per method, per source set, the metric by seed; and the weights.
struct SectionTrials {
  std::vector<std::string> methods;                     // in order of appearance
  std::map<std::string, std::map<std::string, BySeed>> values;  // method → set → seed → value
  std::map<std::string, std::map<std::string, std::vector<double>>> weights;  // set → source → weights
};

void write_method(std::ostream& out, const std::string& section, const std::string& method,
                  const SectionTrials& s, const BySeed* baseline, const std::string& baseline_name) {
  const auto& sets = s.values.at(method);
  std::string full;
  for (const auto& [set, values] : sets) {
    if (io::split_names(set).size() > io::split_names(full).size()) full = set;
  }
  std::vector<std::string> sources;
  for (const auto& [set, values] : sets) {
    for (const std::string& name : io::split_names(set)) {
      if (std::find(sources.begin(), sources.end(), name) == sources.end()) sources.push_back(name);
    }
  }
  std::sort(sources.begin(), sources.end());
  out << "#### " << (section.empty() ? "" : section + ", ") << "method " << method << "\n\n";
  out << "| source | alone − " << baseline_name << " | verdict | all − all without it | verdict | weight |\n";
  out << "|---|---|---|---|---|---|\n";
  std::vector<std::string> harmful;
  for (const std::string& source : sources) {
    Effect alone, mix;
    if (baseline && sets.count(source)) alone = compare(sets.at(source), *baseline);
    std::vector<std::string> rest = io::split_names(full);
    rest.erase(std::remove(rest.begin(), rest.end(), source), rest.end());
    const std::string without = source_set(comma_list(rest));
    if (rest.size() + 1 == io::split_names(full).size() && sets.count(without)) {
      mix = compare(sets.at(full), sets.at(without));
    }
    std::string weight = "";
    if (s.weights.count(full) && s.weights.at(full).count(source)) {
      const std::vector<double>& w = s.weights.at(full).at(source);
      double sum = 0;
      for (double v : w) sum += v;
      weight = fixed4(sum / static_cast<double>(w.size()));
    }
    out << "| " << source << " | " << alone.text() << " | " << alone.verdict() << " | " << mix.text() << " | "
        << mix.verdict() << " | " << weight << " |\n";
    if (alone.verdict() == "hurts" || mix.verdict() == "hurts") harmful.push_back(source);
  }
  out << "\nVerdict (" << (section.empty() ? "" : section + ", ") << "method " << method << "): ";
  if (harmful.empty()) {
    out << "no source hurts significantly (p < 0.05)\n\n";
  } else {
    out << "harmful sources: " << comma_list(harmful) << "\n\n";
  }
}

}  // namespace

std::string make_source_effects_report(const std::string& runs_dir, const ReportOptions& options) {
  const Metric metric = parse_metric(options.metrics);
  const std::string baseline_name = options.baseline.empty() ? "target_only" : options.baseline;
  const nlohmann::ordered_json spec = read_json_file(runs_dir + "/spec.json");
  const std::vector<TrialResult> trials =
      read_completed_trials(runs_dir, spec.at("trials").get<std::vector<std::string>>());
  std::vector<std::string> section_keys;
  for (const std::string& key : spec.at("varying").get<std::vector<std::string>>()) {
    if (key != "source" && key != "method" && key != "seed") section_keys.push_back(key);
  }
  std::vector<std::string> order;
  std::map<std::string, SectionTrials> sections;
  for (const TrialResult& t : trials) {
    std::string label;
    for (const std::string& key : section_keys) {
      label += (label.empty() ? "" : ", ") + key + "=" + show_value(t.config.at(key));
    }
    if (!sections.count(label)) order.push_back(label);
    SectionTrials& s = sections[label];
    const std::string method = t.config.at("method").get<std::string>();
    const std::string set = source_set(t.config.at("source").get<std::string>());
    const auto& group = t.metrics.at(metric.group);
    if (!group.contains(metric.name)) {
      throw io::UsageError("--metrics: trial results have no " + metric.group + "." + metric.name);
    }
    if (std::find(s.methods.begin(), s.methods.end(), method) == s.methods.end()) s.methods.push_back(method);
    s.values[method][set][t.config.at("seed").get<int64_t>()] = group.at(metric.name).get<double>();
    if (t.metrics.contains("source_weights")) {
      for (const auto& [name, w] : t.metrics.at("source_weights").items()) s.weights[set][name].push_back(w.get<double>());
    }
  }
  std::ostringstream out;
  out << "# Source effects: " << spec.value("experiment", runs_dir) << "\n\n"
      << metric.group << "." << metric.name << ": each source alone against " << baseline_name
      << " (same seed), and the largest source set against it less that source (leave-one-source-out); "
         "paired t-tests over seeds, p < 0.05 improves or hurts, else neutral.\n\n";
  for (const std::string& label : order) {
    const SectionTrials& s = sections.at(label);
    const BySeed* baseline = nullptr;
    if (s.values.count(baseline_name)) {
      for (const auto& [set, values] : s.values.at(baseline_name)) baseline = &values;  // any source list
    }
    for (const std::string& method : s.methods) {
      if (method != baseline_name) write_method(out, label, method, s, baseline, baseline_name);
    }
  }
  return out.str();
}

}  // namespace graft::exp
