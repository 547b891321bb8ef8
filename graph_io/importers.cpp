#include "graph_io/importers.h"

#include <filesystem>
#include <sstream>

#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

using Importer = Dataset (*)(const ImportOptions&, ImportReport&);

struct Format {
  const char* name;
  Importer run;
};

const Format kFormats[] = {
    {"cdr-pairs", import_cdr_pairs},   {"lightgcn", import_lightgcn},           {"movielens", import_movielens},
    {"csv", import_csv},               {"behavior-log", import_behavior_log},
    {"embeddings", import_embeddings},
    {"sequences", import_sequences},   {"item-metadata", import_item_metadata}, {"unisrec", import_unisrec},
    {"behaviour-lists", import_behaviour_lists}, {"xmarket", import_xmarket},
};

}  // namespace

std::vector<std::string> import_formats() {
  std::vector<std::string> names;
  for (const Format& f : kFormats) names.emplace_back(f.name);
  return names;
}

std::string ImportReport::summary() const {
  std::ostringstream out;
  out << "read " << lines_read << " lines";
  if (blocks.empty() || interactions_kept > 0) {
    out << "; kept " << interactions_kept << " interactions; merged " << duplicates_merged << " duplicate"
        << (duplicates_merged == 1 ? "" : "s");
  }
  int64_t total_dropped = 0;
  std::string reasons;
  for (const auto& [reason, count] : dropped) {
    total_dropped += count;
    reasons += (reasons.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  }
  if (total_dropped > 0) out << "; dropped " << total_dropped << " (" << reasons << ")";
  for (const auto& [what, count] : noted) out << "; " << count << " " << what;
  if (!blocks.empty()) out << "; feature blocks " << join(blocks);
  out << ".";
  return out.str();
}

Dataset import_dataset(const ImportOptions& options, ImportReport* report) {
  const Format* format = nullptr;
  for (const Format& f : kFormats) {
    if (options.format == f.name) format = &f;
  }
  if (!format) {
    throw UsageError("unknown import format '" + options.format + "'; valid formats: " + join(import_formats()));
  }
  if (options.inputs.empty()) throw UsageError(options.format + ": no input files or folders given");

  ImportReport local;
  ImportReport& counts = report ? *report : local;
  counts = ImportReport{};
  Dataset dataset = format->run(options, counts);
  for (SourceFile& source : dataset.provenance.sources) {
    if (source.crc32.empty()) source = describe_file(source.path);  // not those of an --into dataset
  }
  dataset.provenance.graft_version = GRAFT_VERSION;
  validate(dataset, options.inputs.front());
  return dataset;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string rated_below_reason(double min_rating) {
  std::ostringstream out;
  out << "rated below " << min_rating;
  return out.str();
}

void require_inputs(const ImportOptions& options, size_t min, size_t max, const std::string& what) {
  const size_t n = options.inputs.size();
  if (n >= min && n <= max) return;
  throw UsageError(options.format + " expects " + what + ", got " + std::to_string(n) + " input" +
                   (n == 1 ? "" : "s"));
}

std::string domain_name_option(const ImportOptions& options) {
  const std::string name = options.domain.empty() ? "main" : options.domain;
  if (name.find('/') != std::string::npos) throw UsageError("--domain must not contain '/', got '" + name + "'");
  return name;
}

std::string folder_name(const std::string& folder) {
  fs::path path = fs::absolute(folder).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();  // "game_video/"
  return path.filename().string();
}

Part part_of_input(size_t i, size_t n) {
  if (i == 0) return Part::kTrain;
  return i + 1 == n ? Part::kTest : Part::kValid;
}

std::optional<Split> given_split_of_inputs(const ImportOptions& options) {
  const size_t n = options.inputs.size();
  if (n < 2) return std::nullopt;
  Split split;
  split.name = "given";
  split.kind = "given";
  for (size_t i = 0; i < n; ++i) {
    const Part part = part_of_input(i, n);
    split.params[part == Part::kTrain ? "train" : part == Part::kValid ? "valid" : "test"] = options.inputs[i];
  }
  return split;
}

void record_file_read(const TextReader& reader, Dataset& dataset, ImportReport& report) {
  report.lines_read += reader.records();
  dataset.provenance.sources.push_back(SourceFile{reader.path(), 0, ""});
}

void finish_domains(Dataset& dataset, std::vector<DomainBuilder>& builders, std::optional<Split> given,
                    ImportReport& report) {
  for (DomainBuilder& builder : builders) {
    DomainBuilder::Result result = std::move(builder).finish(dataset.num_users());
    report.duplicates_merged += result.duplicates_merged;
    report.interactions_kept += static_cast<int64_t>(result.domain.interactions.size());
    dataset.domains.push_back(std::move(result.domain));
    if (given) given->parts.push_back(std::move(result.split));
  }
  builders.clear();
  if (given) dataset.splits.push_back(std::move(*given));
}

}  // namespace graft::io
