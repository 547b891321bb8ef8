// behaviour-lists: multi-behaviour interaction lists, the layout of the MB-CGCN / CRGCN Tmall
// folders. The input is either
//   one folder with a sub-folder per behaviour (view/, cart/, buy/), each holding train.txt and
//   optionally test.txt, lines "user item item ..." separated by spaces or tabs; or
//   one or more files, one per behaviour named by its stem (view.txt), of "user item" lines.
// Folder and file names become behaviour codes through BehaviorNames (--behaviour-map); an
// unknown name, or two inputs with one code, is an error, so no behaviour is ever dropped.
//
// Ids are 0-based integers shared by every behaviour and kept as they are: user u is global user
// u and item i is item i, so the counts are one past the largest id in any file. No id below the
// largest may be missing from every file, and every behaviour must reach the same largest user
// id: lists whose user ranges differ were not indexed together.
//
// One domain (--domain, else the folder's name, else "main") with a behaviour column; a pair
// repeated within a behaviour is merged into the first one read. Split "given" (folder layout,
// when the target behaviour has test.txt): train = every behaviour's train.txt, test = the
// target behaviour's test.txt. The other behaviours' test pairs stay interactions outside the
// split, counted in the report.
#include <algorithm>
#include <array>
#include <filesystem>

#include "graph_io/behavior_names.h"
#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

constexpr const char* kTargetFlag = "--target-behaviour";

// The files of one behaviour.
struct BehaviorFiles {
  std::string name;    // folder name or file stem, as the input spells it
  Behavior code;
  std::string source;  // the behaviour's folder, or its file of pairs
  std::string train;
  std::string test;    // empty when absent
};

// The behaviour folders inside `folder`: every sub-folder (hidden ones aside), by name.
std::vector<BehaviorFiles> folder_layout(const std::string& folder, const BehaviorNames& names) {
  std::error_code error, not_a_folder;
  std::vector<fs::path> subfolders;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(not_a_folder) && name.front() != '.') subfolders.push_back(it->path());
  }
  if (error) throw DataError(folder + ": cannot list the folder: " + error.message());
  if (subfolders.empty()) {
    throw DataError(folder + ": no behaviour folders (expected e.g. view/, cart/, buy/, each with train.txt)");
  }
  std::sort(subfolders.begin(), subfolders.end());
  std::vector<BehaviorFiles> out;
  for (const fs::path& sub : subfolders) {
    const std::string name = sub.filename().string();
    const fs::path train = sub / "train.txt", test = sub / "test.txt";
    const Behavior code = names.code_of(name, "behaviour folder '" + sub.string() + "'");
    if (!fs::is_regular_file(train)) {
      throw DataError(train.string() + ": missing; every behaviour folder needs train.txt (test.txt is optional)");
    }
    out.push_back({name, code, sub.string(), train.string(), fs::exists(test) ? test.string() : ""});
  }
  return out;
}

// One behaviour per file of pairs, named by the file's stem.
std::vector<BehaviorFiles> pair_files_layout(const ImportOptions& options, const BehaviorNames& names) {
  std::vector<BehaviorFiles> out;
  for (const std::string& file : options.inputs) {
    if (fs::is_directory(file)) {
      throw UsageError("behaviour-lists expects one folder of behaviour folders, or files of pairs; '" + file +
                       "' is a folder among several inputs");
    }
    const std::string name = fs::path(file).stem().string();
    out.push_back({name, names.code_of(name, "file '" + file + "'"), file, file, ""});
  }
  return out;
}

bool is_folder_layout(const ImportOptions& options) {
  return options.inputs.size() == 1 && fs::is_directory(options.inputs.front());
}

// The behaviours of the input in code order (pv, cart, fav, buy), each code at most once.
std::vector<BehaviorFiles> behavior_layout(const ImportOptions& options, const BehaviorNames& names, bool folder) {
  std::vector<BehaviorFiles> layout =
      folder ? folder_layout(options.inputs.front(), names) : pair_files_layout(options, names);
  std::stable_sort(layout.begin(), layout.end(),
                   [](const BehaviorFiles& a, const BehaviorFiles& b) { return a.code < b.code; });
  for (size_t i = 1; i < layout.size(); ++i) {
    if (layout[i].code == layout[i - 1].code) {
      throw DataError(layout[i - 1].source + " and " + layout[i].source + " both hold behaviour '" +
                      behavior_name(layout[i].code) + "'");
    }
  }
  return layout;
}

// The code of --target-behaviour (a name or a code), which some input must hold.
Behavior target_behavior(const ImportOptions& options, const BehaviorNames& names,
                         const std::vector<BehaviorFiles>& layout) {
  const std::string& target = options.target_behavior;
  const Behavior code = names.code_of(target, std::string(kTargetFlag) + " '" + target + "'");
  std::vector<std::string> held;
  for (const BehaviorFiles& b : layout) {
    if (b.code == code) return code;
    held.push_back(behavior_name(b.code));
  }
  throw UsageError(std::string(kTargetFlag) + " " + target + ": no input holds behaviour '" + behavior_name(code) +
                   "'; the inputs hold " + join(held));
}

// Where an id first occurs.
struct IdPlace {
  int64_t id = -1;
  const std::string* file = nullptr;
  int64_t line = 0;

  [[noreturn]] void fail(const std::string& what) const { throw_at_line(*file, line, what); }
};

// The ids of one kind (users or items) read so far, checked once every file is read.
class IdsRead {
 public:
  explicit IdsRead(std::string kind) : kind_(std::move(kind)) {}

  void add(int64_t id, const std::string& file, int64_t line) {
    ids_.push_back(id);
    if (id > largest_.id) largest_ = {id, &file, line};
  }
  const IdPlace& largest() const { return largest_; }

  // DataError at the largest id when an id below it occurs in no file.
  void require_no_gaps() {
    std::sort(ids_.begin(), ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
    if (ids_.back() == static_cast<int64_t>(ids_.size()) - 1) return;
    int64_t missing = 0;
    while (ids_[static_cast<size_t>(missing)] == missing) ++missing;
    largest_.fail(kind_ + " id " + std::to_string(largest_.id) + " is the largest, but " + kind_ + " id " +
                  std::to_string(missing) + " occurs in no file: ids must run from 0 without gaps");
  }

 private:
  std::string kind_;
  std::vector<int64_t> ids_;
  IdPlace largest_;
};

// Reads the behaviours' files into one domain, noting their ids for the range checks.
class ListsReader {
 public:
  ListsReader(DomainBuilder& domain, Dataset& dataset, ImportReport& report)
      : domain_(domain), dataset_(dataset), report_(report) {}

  // Reads `file` ("user item item ..." lines, or exactly "user item" when `pairs_only`) as
  // interactions of `code` in `part`; returns the number of pairs read. The id checks point
  // into `file`, which must outlive the reader.
  int64_t read(const std::string& file, bool pairs_only, Behavior code, Part part, IdPlace& largest_user) {
    TextReader in(file, Delimiter::whitespace(), pairs_only ? 2 : 1, pairs_only ? 2 : TextReader::kAnyNumber);
    int64_t pairs = 0;
    while (in.next()) {
      const int64_t user = in.id(0, "user id");
      users.add(user, file, in.line_number());
      if (user > largest_user.id) largest_user = {user, &file, in.line_number()};
      for (size_t k = 1; k < in.size(); ++k) {
        const int64_t item = in.id(k, "item id");
        items.add(item, file, in.line_number());
        domain_.add(user, item, part, 0, code);
      }
      pairs += static_cast<int64_t>(in.size()) - 1;
    }
    record_file_read(in, dataset_, report_);
    return pairs;
  }

  IdsRead users{"user"}, items{"item"};

 private:
  DomainBuilder& domain_;
  Dataset& dataset_;
  ImportReport& report_;
};

// Every behaviour reaches the largest user id (see the top of this file).
void require_same_user_range(const std::vector<BehaviorFiles>& layout, const std::vector<IdPlace>& largest_user,
                             const IdPlace& largest) {
  for (size_t b = 0; b < layout.size(); ++b) {
    if (largest_user[b].id == largest.id) continue;
    largest.fail("user id " + std::to_string(largest.id) + ", but the user ids of behaviour '" + layout[b].name +
                 "' end at " + std::to_string(largest_user[b].id) +
                 ": every behaviour must cover the same users 0.." + std::to_string(largest.id));
  }
}

// Split "given" when the target behaviour has test pairs.
std::optional<Split> given_split(const std::vector<BehaviorFiles>& layout, Behavior target) {
  std::vector<std::string> train;
  for (const BehaviorFiles& b : layout) train.push_back(b.train);
  for (const BehaviorFiles& b : layout) {
    if (b.code != target || b.test.empty()) continue;
    Split split;
    split.name = "given";
    split.kind = "given";
    split.params = {{"target_behavior", behavior_name(target)}, {"train", join(train)}, {"test", b.test}};
    return split;
  }
  return std::nullopt;
}

// Notes per behaviour the interactions in no part of the split (the other behaviours' tests).
void note_outside_split(const Dataset& dataset, const std::vector<BehaviorFiles>& layout, ImportReport& report) {
  const Split* split = dataset.find_split("given");
  if (!split) return;
  const Interactions& x = dataset.domains.front().interactions;
  std::vector<uint8_t> in_part(x.size(), 0);
  const DomainSplit& part = split->parts.front();
  for (const auto* rows : {&part.train, &part.valid, &part.test}) {
    for (const int64_t k : *rows) in_part[static_cast<size_t>(k)] = 1;
  }
  std::array<int64_t, kNumBehaviors> outside{};
  for (size_t k = 0; k < x.size(); ++k) outside[static_cast<size_t>(x.behavior[k])] += in_part[k] ? 0 : 1;
  for (const BehaviorFiles& b : layout) {
    const int64_t count = outside[static_cast<size_t>(b.code)];
    if (count > 0) report.noted[b.name + " test pairs outside split 'given'"] = count;
  }
}

// --domain, else the input folder's name (e.g. "tmall-behaviour"), else "main".
std::string domain_name(const ImportOptions& options, bool folder) {
  if (!options.domain.empty() || !folder) return domain_name_option(options);
  const std::string name = folder_name(options.inputs.front());
  return name.empty() ? "main" : name;
}

}  // namespace

Dataset import_behaviour_lists(const ImportOptions& options, ImportReport& report) {
  const BehaviorNames names(options.behavior_map);
  const bool folder = is_folder_layout(options);
  const std::vector<BehaviorFiles> layout = behavior_layout(options, names, folder);
  const Behavior target = target_behavior(options, names, layout);

  Dataset dataset;
  std::vector<DomainBuilder> builders;
  builders.emplace_back(domain_name(options, folder), InteractionColumns{false, true, false});
  ListsReader reader(builders.back(), dataset, report);
  std::vector<IdPlace> largest_user(layout.size());
  for (size_t b = 0; b < layout.size(); ++b) {
    const BehaviorFiles& files = layout[b];
    if (reader.read(files.train, !folder, files.code, Part::kTrain, largest_user[b]) == 0) {
      throw DataError(files.train + ": no user-item pairs: behaviour '" + files.name + "' would be empty");
    }
    if (files.test.empty()) continue;
    reader.read(files.test, !folder, files.code, files.code == target ? Part::kTest : Part::kOutside,
                largest_user[b]);
  }
  require_same_user_range(layout, largest_user, reader.users.largest());
  reader.users.require_no_gaps();
  reader.items.require_no_gaps();

  for (int64_t u = 0; u <= reader.users.largest().id; ++u) dataset.user_ids.push_back(std::to_string(u));
  for (int64_t i = 0; i <= reader.items.largest().id; ++i) builders.back().items().add_number(static_cast<uint64_t>(i));
  finish_domains(dataset, builders, given_split(layout, target), report);
  note_outside_split(dataset, layout, report);
  return dataset;
}

}  // namespace graft::io
