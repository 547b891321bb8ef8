// `graft data import | generate | split | stats`: the data pipeline from the command line.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "experiments/cli.h"
#include "graph_io/errors.h"
#include "graph_io/files.h"
#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"
#include "graph_io/negatives_file.h"
#include "graph_io/splits.h"
#include "graph_io/stats.h"
#include "graph_io/synthetic.h"
#include "graph_io/synthetic_scale.h"

namespace graft::cli {

namespace {

using io::UsageError;

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (const auto& x : xs) out += (out.empty() ? "" : ", ") + x;
  return out;
}

char parse_delimiter(const std::string& text) {
  if (text == "\\t" || text == "tab") return '\t';
  if (text.size() != 1) throw UsageError("--delimiter must be one character or 'tab', got '" + text + "'");
  return text[0];
}

// The values of a repeatable `flag` of the form key=value (`form` says which, e.g. "role=column"),
// in order.
std::vector<std::pair<std::string, std::string>> parse_pairs(const std::vector<std::string>& pairs,
                                                             const std::string& flag, const std::string& form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos) throw UsageError(flag + " expects " + form + ", got '" + pair + "'");
    out.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return out;
}

// Throws UsageError unless every key of `pairs` (from `flag`) is one of `roles`.
void require_roles(const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& flag,
                   const std::vector<std::string>& roles) {
  for (const auto& [role, column] : pairs) {
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
      throw UsageError(flag + ": unknown role '" + role + "'; valid roles: " + join(roles));
    }
  }
}

// "role=column" pairs of --column into a map, rejecting unknown roles.
std::map<std::string, std::string> parse_columns(const std::vector<std::string>& pairs) {
  static const std::vector<std::string> roles = {"user", "item", "category", "time", "behavior", "rating", "domain"};
  const auto parsed = parse_pairs(pairs, "--column", "role=column");
  require_roles(parsed, "--column", roles);
  return std::map<std::string, std::string>(parsed.begin(), parsed.end());
}

// "role=column" pairs of --feature-column, in order (roles may repeat), rejecting unknown roles.
std::vector<std::pair<std::string, std::string>> parse_feature_columns(const std::vector<std::string>& pairs) {
  static const std::vector<std::string> roles = {"id", "text", "token", "token_list", "float", "category_path"};
  auto parsed = parse_pairs(pairs, "--feature-column", "role=column");
  require_roles(parsed, "--feature-column", roles);
  return parsed;
}

// "1-2" (or "2" for 2-2) into the n-gram range of the text features.
void parse_ngrams(const std::string& text, io::TextFeatureOptions& options) {
  const auto dash = text.find('-');
  const std::string low = text.substr(0, dash), high = dash == std::string::npos ? low : text.substr(dash + 1);
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 2 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw UsageError("--text-ngrams expects MIN-MAX word counts such as 1-2, got '" + text + "'");
    }
    return static_cast<int64_t>(std::stoi(s));
  };
  options.min_n = number(low);
  options.max_n = number(high);
}

void add_import(CLI::App& data, const std::string& command_line) {
  struct Args {
    io::ImportOptions options;
    std::string delimiter = ",";
    std::vector<std::string> columns;
    std::vector<std::string> feature_columns;
    std::vector<std::string> behaviour_map;
    std::string ngrams;
    std::string output;
    int64_t negatives = -1;
    uint64_t negatives_seed = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = data.add_subcommand("import", "Import a real-world dataset into dataset.h5");
  cmd->add_option("--format,-f", args->options.format, "Input format: " + join(io::import_formats()))->required();
  cmd->add_option("inputs", args->options.inputs, "Input files or folders")->required();
  cmd->add_option("--output,-o", args->output, "Output dataset.h5")->required();
  cmd->add_option("--domain", args->options.domain, "Domain name where the format has none");
  cmd->add_option("--delimiter", args->delimiter, "Field delimiter (one character or 'tab')");
  cmd->add_flag("--header", args->options.header, "The first line is a header");
  cmd->add_option("--column", args->columns, "Column mapping role=column (csv), one per flag: --column user=0 --column item=2")
      ->allow_extra_args(false);
  cmd->add_option("--min-rating", args->options.min_rating, "Drop interactions rated below this");
  cmd->add_option("--into", args->options.into,
                  "item-metadata, embeddings: the dataset.h5 whose items the features join (--output may be the same file)");
  cmd->add_option("--feature-column", args->feature_columns,
                  "item-metadata: role=column, one per flag, in order; roles id, text, token, token_list, float, "
                  "category_path; a column is a 0-based index or a header name (\"title:token\" or \"title\")")
      ->allow_extra_args(false);
  io::TextFeatureOptions& text = args->options.text;
  cmd->add_option("--text-weighting", text.weighting, "Text features: tfidf, bm25 or binary")->capture_default_str();
  cmd->add_option("--text-ngrams", args->ngrams, "Text features: word n-grams MIN-MAX (default 1-2)");
  cmd->add_option("--text-hash-bits", text.hash_bits, "Text features: 2^bits hashed columns, 8..24")->capture_default_str();
  cmd->add_option("--text-project", text.project,
                  "Text features: random projection to this dense width; 0 keeps the sparse hashed block")
      ->capture_default_str();
  cmd->add_option("--text-seed", text.seed, "Text features: seed of the projection")->capture_default_str();
  cmd->add_option("--block", args->options.block,
                  "Name of the feature block (embeddings; item-metadata and unisrec: the text block, default text)");
  cmd->add_option("--hdf5-dataset", args->options.hdf5_dataset, "embeddings: the dataset path inside an HDF5 input");
  cmd->add_option("--behaviour-map,--behavior-map", args->behaviour_map,
                  "behaviour-lists: name=code, one per flag, for a folder or file name beyond the defaults "
                  "(view, pv, click, cart, collect, fav, buy, purchase); codes pv, cart, fav, buy")
      ->allow_extra_args(false);
  cmd->add_option("--target-behaviour,--target-behavior", args->options.target_behavior,
                  "behaviour-lists: the behaviour (a name or a code) whose test.txt split given tests")
      ->capture_default_str();
  cmd->add_option("--negatives", args->negatives,
                  "Sampled negatives per valid/test case of the stored split (default: 999 for cdr-pairs, whose "
                  "cold-start protocol ranks against them, else 0)");
  cmd->add_option("--negatives-seed", args->negatives_seed, "Seed of the sampled negatives")->capture_default_str();
  cmd->callback([args, command_line] {
    args->options.delimiter = parse_delimiter(args->delimiter);
    args->options.columns = parse_columns(args->columns);
    args->options.feature_columns = parse_feature_columns(args->feature_columns);
    args->options.behavior_map = parse_pairs(args->behaviour_map, "--behaviour-map", "name=code");
    if (!args->ngrams.empty()) parse_ngrams(args->ngrams, args->options.text);
    io::ImportReport report;
    io::Dataset dataset = io::import_dataset(args->options, &report);
    const int64_t negatives = args->negatives >= 0 ? args->negatives : args->options.format == "cdr-pairs" ? 999 : 0;
    if (negatives > 0) {
      for (const io::Split& split : std::vector<io::Split>(dataset.splits)) {
        io::sample_negatives(dataset, split.name, negatives, args->negatives_seed);
      }
    }
    // A feature import extends the --into dataset's history.
    dataset.provenance.command += (dataset.provenance.command.empty() ? "" : "\n") + command_line;
    io::write_dataset(dataset, args->output);
    std::cout << report.summary() << "\nwrote " << args->output << "\n";
  });
}

size_t interactions_of(const io::Dataset& dataset) {
  size_t n = 0;
  for (const io::Domain& d : dataset.domains) n += d.interactions.size();
  return n;
}

// The scale preset (graph_io/synthetic_scale.h): sizes from the command line, the memory it
// needs checked against the budget before anything is allocated.
io::Dataset generate_scale(const std::string& interactions, const std::string& users, const std::string& items,
                           const std::string& budget, uint64_t seed) {
  io::ScaleOptions options;
  options.interactions = io::parse_size(interactions, "--interactions");
  if (!users.empty()) options.users = io::parse_size(users, "--users");
  if (!items.empty()) options.items = io::parse_size(items, "--items");
  options.seed = seed;
  const io::ScaleOptions resolved = io::resolve_scale_options(options);
  const int64_t need = io::scale_memory_bytes(resolved);
  const int64_t allowed = budget.empty() ? io::available_memory_bytes() : io::parse_size(budget, "--memory-budget", true);
  const auto gib = [](int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
    return std::string(text);
  };
  std::cerr << "scale preset: " << resolved.interactions << " interactions, " << resolved.users << " users, "
            << resolved.items << " items; needs about " << gib(need) << " (budget " << gib(allowed) << ")\n";
  if (need > allowed) {
    throw io::UsageError("scale preset: " + std::to_string(resolved.interactions) + " interactions need about " + gib(need) +
                         " (40 B per interaction, 80 per user, 64 per item), more than the budget of " + gib(allowed) +
                         (budget.empty() ? " (the available memory)" : " (--memory-budget)") + "; nothing was generated");
  }
  return io::generate_scale(options);
}

void add_generate(CLI::App& data, const std::string& command_line) {
  struct Args {
    std::string preset = "two-platform";
    uint64_t seed = 0;
    std::string output, interactions = "1M", users, items, budget;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = data.add_subcommand("generate", "Generate a synthetic multi-domain dataset");
  cmd->add_option("--preset", args->preset, "Preset: " + join(io::synthetic_presets()) + ", scale (one power-law "
                                            "domain of any size, --interactions)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_option("--interactions", args->interactions, "scale: interactions, e.g. 1M, 10M, 50M")->capture_default_str();
  cmd->add_option("--users", args->users, "scale: users (default: interactions / 17)");
  cmd->add_option("--items", args->items, "scale: items (default: interactions / 35)");
  cmd->add_option("--memory-budget", args->budget, "scale: refuse sizes needing more memory than this, e.g. 24G "
                                                   "(default: the available memory)");
  cmd->add_option("--output,-o", args->output, "Output dataset.h5")->required();
  cmd->callback([args, cmd, command_line] {
    const bool scale = args->preset == "scale";
    for (const char* option : {"--interactions", "--users", "--items", "--memory-budget"}) {
      if (!scale && cmd->count(option) > 0) throw io::UsageError(std::string(option) + " is for --preset scale");
    }
    io::Dataset dataset;
    if (scale) {
      dataset = generate_scale(args->interactions, args->users, args->items, args->budget, args->seed);
    } else {
      io::SyntheticOptions options = io::synthetic_preset(args->preset);
      options.seed = args->seed;
      dataset = io::generate_synthetic(options);
    }
    dataset.provenance.command = command_line;
    io::write_dataset(dataset, args->output);
    std::cout << "generated preset " << args->preset << " (seed " << args->seed << "): "
              << dataset.num_users() << " users, " << dataset.domains.size() << " domains, "
              << interactions_of(dataset) << " interactions\nwrote " << args->output << "\n";
  });
}

void add_split(CLI::App& data, const std::string& command_line) {
  struct Args {
    io::SplitOptions options;
    std::string file;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = data.add_subcommand("split", "Add a named train/valid/test split to a dataset");
  cmd->add_option("file", args->file, "dataset.h5 to read")->required();
  cmd->add_option("--kind", args->options.kind, "Split kind: " + join(io::split_kinds()))->required();
  cmd->add_option("--name", args->options.name, "Name to store the split under (default: the kind)");
  cmd->add_option("--domain", args->options.domains, "Domains to split (default: all)");
  cmd->add_option("--valid-ratio", args->options.valid_ratio, "ratio/temporal: validation share; holdout_valid: of each "
                  "user's training interactions")->capture_default_str();
  cmd->add_option("--from", args->options.from, "holdout_valid: the split whose training interactions give validation");
  cmd->add_option("--test-ratio", args->options.test_ratio, "ratio/temporal: test share")->capture_default_str();
  cmd->add_option("--source", args->options.source, "cold_start_users: source domain");
  cmd->add_option("--target", args->options.target, "cold_start_users: target domain");
  cmd->add_option("--cold-start-fraction", args->options.cold_start_fraction,
                  "cold_start_users: share of shared users made cold; cold_start_buyers: of the users with "
                  "target-behaviour and other interactions")->capture_default_str();
  cmd->add_option("--target-behaviour,--target-behavior", args->options.target_behavior,
                  "cold_start_buyers: the behaviour held out (pv, cart, fav, buy)")->capture_default_str();
  cmd->add_option("--category", args->options.category, "new_category: the withheld category");
  cmd->add_option("--k-shot", args->options.k_shot, "new_category: interactions kept per user")->capture_default_str();
  cmd->add_option("--negatives", args->options.negatives, "Sampled negatives per valid/test case (0: none)")
      ->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Random seed")->capture_default_str();
  cmd->add_option("--output,-o", args->output, "Output file (default: rewrite the input)");
  cmd->callback([args, command_line] {
    io::Dataset dataset = io::read_dataset(args->file);
    io::add_split(dataset, args->options);
    dataset.provenance.command += "\n" + command_line;
    const std::string out = args->output.empty() ? args->file : args->output;
    io::write_dataset(dataset, out);
    const std::string name = args->options.name.empty() ? args->options.kind : args->options.name;
    std::cout << "added split '" << name << "'\n";
    for (const std::string& note : io::split_notes(*dataset.find_split(name))) std::cout << note << "\n";
    std::cout << "wrote " << out << "\n";
  });
}

// Replaces a split's sampled negatives with candidate lists from files (graph_io/negatives_file.h).
void add_negatives(CLI::App& data, const std::string& command_line) {
  struct Args {
    io::CandidateFilesRequest request;
    std::string file;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = data.add_subcommand("negatives", "Replace a split's sampled negatives with candidate lists from files");
  cmd->add_option("file", args->file, "dataset.h5 to read")->required();
  cmd->add_option("--split", args->request.split, "The split whose negatives are replaced")->required();
  cmd->add_option("--domain", args->request.domain, "The domain whose cases the files list")->required();
  cmd->add_option("--valid", args->request.valid_path, "Lines 'user positive negative...' for the valid cases, in order");
  cmd->add_option("--test", args->request.test_path, "The same for the test cases");
  cmd->add_option("--output,-o", args->output, "Output file (default: rewrite the input)");
  cmd->callback([args, command_line] {
    io::Dataset dataset = io::read_dataset(args->file);
    const std::vector<io::CandidateFileReport> reports = io::read_candidate_files(dataset, args->request);
    dataset.provenance.command += "\n" + command_line;
    const std::string out = args->output.empty() ? args->file : args->output;
    io::write_dataset(dataset, out);
    for (const io::CandidateFileReport& r : reports) {
      std::cout << args->request.domain << " " << r.part << ": " << r.cases << " cases x " << r.negatives_per_case
                << " negatives from " << r.path << "\n";
      if (r.cases_with_own_positive + r.cases_with_other_positive + r.cases_with_repeats > 0) {
        std::cout << "note: " << r.cases_with_own_positive << " cases list their own positive among the negatives, "
                  << r.cases_with_other_positive << " another of the user's items, " << r.cases_with_repeats
                  << " a negative twice (graft's own draw allows none; ties count against the model)\n";
      }
    }
    std::cout << "wrote " << out << "\n";
  });
}

void add_stats(CLI::App& data) {
  struct Args {
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = data.add_subcommand("stats", "Print per-domain statistics of a dataset");
  cmd->add_option("file", args->file, "dataset.h5 to read")->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->callback([args] {
    const io::DatasetStats stats = io::compute_stats(io::read_dataset(args->file));
    std::cout << (args->json ? io::format_stats_json(stats) : io::format_stats_table(stats));
  });
}

}  // namespace

void add_data_commands(CLI::App& app, const std::string& command_line) {
  auto* data = app.add_subcommand("data", "Import, generate, split and describe datasets");
  data->require_subcommand(1);
  add_import(*data, command_line);
  add_generate(*data, command_line);
  add_split(*data, command_line);
  add_negatives(*data, command_line);
  add_stats(*data);
}

}  // namespace graft::cli
