// Trial data and the report serializer. The caches are process-wide and locked: a sweep's
// in-process trials share one generated dataset.
#include "experiments/trial.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <mutex>
#include <sstream>

#include "graph_io/behavior_domain.h"
#include "graph_io/behavior_names.h"
#include "graph_io/category_domain.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/splits.h"
#include "graph_io/synthetic.h"
#include "transfer/transfer.h"

namespace graft::exp {

namespace {

using nlohmann::ordered_json;

const std::string& text(const Settings& settings, const std::string& key) {
  return settings.at(key).value.get_ref<const std::string&>();
}

int64_t integer(const Settings& settings, const std::string& key) { return settings.at(key).value.get<int64_t>(); }

io::SplitOptions split_options(const Settings& settings) {
  io::SplitOptions o;
  o.name = text(settings, "split");
  o.kind = text(settings, "data.split.kind");
  if (o.kind == "cold_start_users") {
    o.source = text(settings, "source");
    o.target = text(settings, "target");
  }
  o.cold_start_fraction = settings.at("data.split.cold_start_fraction").value.get<double>();
  o.category = text(settings, "data.split.category");
  o.target_behavior = text(settings, "data.split.target_behaviour");
  o.k_shot = integer(settings, "data.split.k_shot");
  o.valid_ratio = settings.at("data.split.valid_ratio").value.get<double>();
  o.test_ratio = settings.at("data.split.test_ratio").value.get<double>();
  o.negatives = integer(settings, "data.split.negatives");
  o.seed = static_cast<uint64_t>(integer(settings, "data.split.seed"));
  return o;
}

ordered_json split_json(const io::SplitOptions& o) {
  return {{"name", o.name},   {"kind", o.kind},     {"source", o.source},         {"target", o.target},
          {"cold_start_fraction", o.cold_start_fraction}, {"category", o.category},
          {"target_behaviour", o.target_behavior}, {"k_shot", o.k_shot},
          {"valid_ratio", o.valid_ratio}, {"test_ratio", o.test_ratio}, {"negatives", o.negatives}, {"seed", o.seed}};
}

template <typename Value, typename Make>
Value cached(std::map<std::string, Value>& cache, std::mutex& mutex, const std::string& key, Make make) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  Value value = make();  // outside the lock: two threads may both make it, and one wins
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(key, std::move(value)).first->second;
}

ordered_json metrics_json(const transfer::Metrics& metrics) { return ordered_json(metrics); }

ordered_json discrepancy_json(const std::optional<transfer::Discrepancy>& d) {
  if (!d) return nullptr;
  return {{"linear_mmd", d->linear_mmd}, {"proxy_a_distance", d->proxy_a_distance}};
}

// The behaviours a comma-separated list of codes names (data.source_behaviours).
std::vector<io::Behavior> behaviors_of(const std::string& list, const std::string& key) {
  std::vector<io::Behavior> out;
  for (const std::string& code : io::split_names(list)) out.push_back(io::parse_behavior_code(code, key));
  return out;
}

// With data.carve_behaviour, the dataset whose behaviour of that code (of the first domain with
// behaviours) is a target domain of its own.
std::shared_ptr<const io::Dataset> carve_behaviour(const Settings& settings, const io::Dataset& dataset) {
  const io::Behavior target = io::parse_behavior_code(text(settings, "data.carve_behaviour"), "data.carve_behaviour");
  const std::vector<io::Behavior> sources =
      behaviors_of(text(settings, "data.source_behaviours"), "data.source_behaviours");
  for (const io::Domain& domain : dataset.domains) {
    if (!domain.interactions.has_behavior()) continue;
    return std::make_shared<const io::Dataset>(
        io::carve_behavior_domain(dataset, domain.name, target, sources, text(settings, "split")));
  }
  throw io::UsageError("data.carve_behaviour: no domain has a behaviour column");
}

// How the trial carves its dataset: "category", "new_items", "behaviour" or "" (none). Two at
// once is a UsageError naming both keys.
std::string carving_asked(const Settings& settings) {
  std::vector<std::string> asked;
  if (settings.at("data.carve_category").value.get<bool>()) asked.push_back("category");
  if (settings.at("data.carve_new_items").value.get<bool>()) asked.push_back("new_items");
  if (!text(settings, "data.carve_behaviour").empty()) asked.push_back("behaviour");
  if (asked.size() > 1) {
    throw io::UsageError("data.carve_" + asked[0] + " and data.carve_" + asked[1] +
                         ": a trial carves one target domain; set one of them");
  }
  return asked.empty() ? "" : asked[0];
}

}  // namespace

// With data.carve_category, the dataset whose category data.split.category (of the first domain
// that has it) is a target domain of its own; with data.carve_new_items, the one whose new items
// (split `split`) are; with data.carve_behaviour, the one whose behaviour is; otherwise the
// dataset itself.
std::shared_ptr<const io::Dataset> carve_if_asked(const Settings& settings, std::shared_ptr<const io::Dataset> dataset) {
  const std::string how = carving_asked(settings);
  if (how == "behaviour") return carve_behaviour(settings, *dataset);
  if (how == "new_items") {
    const io::Split& split = dataset->split(text(settings, "split"));
    if (split.parts.size() != 1) {
      throw io::UsageError("data.carve_new_items: split '" + split.name + "' covers " +
                           std::to_string(split.parts.size()) + " domains; a new_items split of one domain is carved");
    }
    return std::make_shared<const io::Dataset>(io::carve_new_items_domain(*dataset, split.parts[0].domain, split.name));
  }
  if (how != "category") return dataset;
  const std::string& category = text(settings, "data.split.category");
  for (const io::Domain& domain : dataset->domains) {
    const auto& names = domain.category_names;
    if (std::find(names.begin(), names.end(), category) == names.end()) continue;
    return std::make_shared<const io::Dataset>(
        io::carve_category_domain(*dataset, domain.name, category, text(settings, "split")));
  }
  throw io::UsageError("data.carve_category: no domain has a category '" + category + "' (data.split.category)");
}

// What the trial's data key says about carving ("" when nothing is carved).
std::string carve_key(const Settings& settings) {
  const std::string how = carving_asked(settings);
  if (how == "new_items") return "/carve_new_items/" + text(settings, "split");
  if (how == "behaviour") {
    return "/carve_behaviour:" + text(settings, "data.carve_behaviour") + "<-" +
           text(settings, "data.source_behaviours") + "/" + text(settings, "split");
  }
  if (how != "category") return "";
  return "/carve:" + text(settings, "data.split.category") + "/" + text(settings, "split");
}

// A file's dataset with the trial's split: the file's own split of that name, or else one made
// from data.split.* (a few-shot budget swept over one imported file, say).
std::shared_ptr<const io::Dataset> file_data(const Settings& settings, const std::string& path) {
  static std::map<std::string, std::shared_ptr<const io::Dataset>> cache;
  static std::mutex mutex;
  const io::SplitOptions split = split_options(settings);
  const std::shared_ptr<const io::Dataset> file =
      cached(cache, mutex, path, [&] { return std::make_shared<const io::Dataset>(io::read_dataset(path)); });
  if (file->find_split(split.name) != nullptr) return file;
  auto dataset = std::make_shared<io::Dataset>(*file);
  io::add_split(*dataset, split);
  return dataset;
}

std::shared_ptr<const io::Dataset> load_trial_data(const Settings& settings) {
  static std::map<std::string, std::shared_ptr<const io::Dataset>> cache;
  static std::mutex mutex;
  const std::string path = text(settings, "data.path");
  const io::SplitOptions split = split_options(settings);
  if (!path.empty()) {
    return cached(cache, mutex, "file:" + path + "/" + split_json(split).dump() + carve_key(settings),
                  [&] { return carve_if_asked(settings, file_data(settings, path)); });
  }
  const std::string preset = text(settings, "data.generate");
  const int64_t seed = integer(settings, "data.generate_seed");
  const std::string key =
      "generate:" + preset + "/" + std::to_string(seed) + "/" + split_json(split).dump() + carve_key(settings);
  return cached(cache, mutex, key, [&] {
    io::SyntheticOptions options = io::synthetic_preset(preset);
    options.seed = static_cast<uint64_t>(seed);
    auto dataset = std::make_shared<io::Dataset>(io::generate_synthetic(options));
    io::add_split(*dataset, split);
    return carve_if_asked(settings, std::move(dataset));
  });
}

ordered_json describe_data(const Settings& settings) {
  static std::map<std::string, ordered_json> cache;
  static std::mutex mutex;
  const std::string path = text(settings, "data.path");
  const ordered_json carving = {{"carve_category", settings.at("data.carve_category").value.get<bool>()},
                                 {"carve_new_items", settings.at("data.carve_new_items").value.get<bool>()},
                                 {"carve_behaviour", text(settings, "data.carve_behaviour")},
                                 {"source_behaviours", text(settings, "data.source_behaviours")}};
  if (!path.empty()) {
    ordered_json out = cached(cache, mutex, path, [&] {
      const io::SourceFile file = io::describe_file(path);
      return ordered_json{{"path", file.path}, {"size", file.size}, {"crc32", file.crc32}};
    });
    out["split_if_absent"] = split_json(split_options(settings));
    out.update(carving);
    return out;
  }
  ordered_json out = {{"generate", text(settings, "data.generate")},
                      {"seed", integer(settings, "data.generate_seed")},
                      {"split", split_json(split_options(settings))}};
  out.update(carving);
  return out;
}

ordered_json report_json(const transfer::TransferReport& r) {
  ordered_json history = ordered_json::array();
  for (const transfer::EpochLog& e : r.history) {
    history.push_back({{"phase", e.phase}, {"epoch", e.epoch}, {"loss", e.loss},
                       {"metrics", metrics_json(e.metrics)}, {"seconds", e.seconds}});
  }
  ordered_json verdict = nullptr;
  if (r.verdict) {
    verdict = {{"metric", r.verdict->metric}, {"method", r.verdict->method}, {"target_only", r.verdict->target_only},
               {"difference", r.verdict->difference}, {"text", r.verdict->text}};
  }
  return {{"method", r.method},
          {"source", r.source},
          {"target", r.target},
          {"split", r.split},
          {"protocol", r.protocol},
          {"seed", r.seed},
          {"notes", r.notes},
          {"cold_start", metrics_json(r.cold_start)},
          {"warm", metrics_json(r.warm)},
          {"overall", metrics_json(r.overall)},
          {"all_items", metrics_json(r.all_items)},
          {"cold_start_cases", r.cold_start_cases},
          {"warm_cases", r.warm_cases},
          {"best_valid", metrics_json(r.best_valid)},
          {"valid_cases", r.valid_cases},
          {"parameters", {{"trainable", r.parameters.trainable}, {"total", r.parameters.total}}},
          {"bridges", r.bridges},
          {"before", discrepancy_json(r.before)},
          {"after", discrepancy_json(r.after)},
          {"verdict", verdict},
          {"source_weights", r.source_weights},
          {"phase_seconds", r.phase_seconds},
          {"peak_memory_mb", static_cast<double>(io::peak_resident_bytes()) / (1024.0 * 1024.0)},
          {"history", history}};
}

ordered_json split_timings(ordered_json& report) {
  ordered_json timings = {{"phase_seconds", ordered_json::object()}, {"epoch_seconds", ordered_json::array()}};
  if (report.contains("phase_seconds")) {
    timings["phase_seconds"] = report["phase_seconds"];
    report.erase("phase_seconds");
  }
  if (report.contains("peak_memory_mb")) {
    timings["peak_memory_mb"] = report["peak_memory_mb"];
    report.erase("peak_memory_mb");
  }
  if (report.contains("history")) {
    for (ordered_json& epoch : report["history"]) {
      timings["epoch_seconds"].push_back({{"phase", epoch.value("phase", "")},
                                          {"epoch", epoch.value("epoch", 0)},
                                          {"seconds", epoch.value("seconds", 0.0)}});
      epoch.erase("seconds");
    }
  }
  return timings;
}

namespace {

// "domain,x1,…,xd" then one line per sampled user representation, for scripts/plot.py.
std::string representation_csv(const transfer::RepresentationSample& sample) {
  std::ostringstream csv;
  csv << "domain";
  const size_t width = sample.rows.empty() ? 0 : sample.rows.front().size();
  for (size_t k = 1; k <= width; ++k) csv << ",x" << k;
  csv << "\n" << std::setprecision(9);
  for (size_t r = 0; r < sample.rows.size(); ++r) {
    csv << sample.domain[r];
    for (const float v : sample.rows[r]) csv << ',' << v;
    csv << "\n";
  }
  return csv.str();
}

}  // namespace

TrialOutcome run_trial_in_process(const Settings& settings, int threads, std::shared_ptr<gnn::Communicator> communicator) {
  transfer::TransferOptions options = to_transfer_options(settings);
  options.communicator = std::move(communicator);
  if (options.threads == 0) options.threads = threads;
  const std::shared_ptr<const io::Dataset> dataset = load_trial_data(settings);
  const transfer::TransferReport report = transfer::run_transfer(*dataset, options);
  TrialOutcome outcome{report_json(report), transfer::format_report(report), {}};
  if (report.sample_before) outcome.files["embeddings_before.csv"] = representation_csv(*report.sample_before);
  if (report.sample_after) outcome.files["embeddings_after.csv"] = representation_csv(*report.sample_after);
  return outcome;
}

}  // namespace graft::exp
