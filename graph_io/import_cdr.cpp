// cdr-pairs: the Amazon cross-domain folders of CDRIB-style cold-start studies, e.g.
// game_video/ and video_game/. Each folder holds train.txt, valid.txt and test.txt (tab-separated
// "user item") for its first domain, and common_new_reindex.txt, whose distinct users are the
// S users shared by both domains. Users 0..S-1 are the same person in both folders and keep
// global ids 0..S-1; higher ids are private to their folder and get fresh global ids
// ("<domain>:<id>" as external id). Item ids number each folder's items apart, so items are
// "<domain>:<id>" too: equal external ids would link items across domains (graph_io/SCHEMA.md).
// valid/test hold the interactions of cold-start users, who must have none in train.txt; they
// become split "cold_start".
#include <filesystem>

#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

namespace fs = std::filesystem;

const char* const kSplitFiles[] = {"train.txt", "valid.txt", "test.txt"};
constexpr const char* kCommonUsersFile = "common_new_reindex.txt";

// "game_video" → "game"; also for "game_video/" or "." inside it.
std::string domain_of_folder(const std::string& folder) {
  const std::string base = folder_name(folder);
  return base.substr(0, base.find('_'));
}

// Number of distinct users in common_new_reindex.txt ("user item flag" lines).
int64_t count_shared_users(const std::string& path, Dataset& dataset, ImportReport& report) {
  TextReader in(path, Delimiter::character('\t'), 2, 3);
  IdMap users;
  while (in.next()) users.add_number(static_cast<uint64_t>(in.id(0, "user id")));
  record_file_read(in, dataset, report);
  return users.size();
}

// Global user ids of one folder: shared ids map to themselves, private ones to fresh ids.
class FolderUsers {
 public:
  FolderUsers(std::string domain, int64_t shared) : domain_(std::move(domain)), shared_(shared) {}

  int64_t global(int64_t id, Dataset& dataset) {
    if (id < shared_) return id;
    const int64_t local = private_.add_number(static_cast<uint64_t>(id));
    if (local == static_cast<int64_t>(global_.size())) {
      global_.push_back(dataset.num_users());
      dataset.user_ids.push_back(domain_ + ":" + std::to_string(id));
    }
    return global_[static_cast<size_t>(local)];
  }

 private:
  std::string domain_;
  int64_t shared_;
  IdMap private_;                // private file id → local index
  std::vector<int64_t> global_;  // local index → global user id
};

void read_folder(const std::string& folder, DomainBuilder& builder, FolderUsers& users, Dataset& dataset,
                 ImportReport& report) {
  std::vector<uint8_t> in_train;  // by global user id
  for (int part = 0; part < 3; ++part) {
    TextReader in((fs::path(folder) / kSplitFiles[part]).string(), Delimiter::character('\t'), 2);
    builder.reserve_more(in.estimated_lines());
    while (in.next()) {
      const int64_t user = users.global(in.id(0, "user id"), dataset);
      const int64_t item = builder.items().add_number(static_cast<uint64_t>(in.id(1, "item id")));
      if (part == 0) {
        if (static_cast<size_t>(user) >= in_train.size()) in_train.resize(static_cast<size_t>(user) + 1, 0);
        in_train[static_cast<size_t>(user)] = 1;
      } else if (static_cast<size_t>(user) < in_train.size() && in_train[static_cast<size_t>(user)]) {
        in.fail("user " + std::string(in.field(0)) + " has training interactions in " + kSplitFiles[0] +
                ", but a cold-start user of " + kSplitFiles[part] + " must have none");
      }
      builder.add(user, item, static_cast<Part>(part));
    }
    record_file_read(in, dataset, report);
  }
}

}  // namespace

Dataset import_cdr_pairs(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 2, 2, "two folders, one per domain (e.g. game_video and video_game)");
  Dataset dataset;

  int64_t shared = -1;
  for (const std::string& folder : options.inputs) {
    if (!fs::is_directory(folder)) {
      throw DataError(folder + ": expected a folder holding train.txt, valid.txt, test.txt and " + kCommonUsersFile);
    }
    const std::string common = (fs::path(folder) / kCommonUsersFile).string();
    const int64_t count = count_shared_users(common, dataset, report);
    if (shared >= 0 && count != shared) {
      throw DataError(common + ": " + std::to_string(count) + " shared users, but " + std::to_string(shared) +
                      " in the other folder's " + kCommonUsersFile);
    }
    shared = count;
  }
  for (int64_t u = 0; u < shared; ++u) dataset.user_ids.push_back(std::to_string(u));

  std::vector<DomainBuilder> builders;
  for (const std::string& folder : options.inputs) {
    const std::string name = domain_of_folder(folder);
    if (name.empty()) throw DataError(folder + ": cannot name a domain after this folder (expected e.g. game_video)");
    if (!builders.empty() && builders.front().name() == name) {
      throw DataError(folder + ": both folders name domain '" + name + "'");
    }
    builders.emplace_back(name, InteractionColumns{});
    FolderUsers users(name, shared);
    read_folder(folder, builders.back(), users, dataset, report);
  }

  Split cold_start;
  cold_start.name = "cold_start";
  cold_start.kind = "given";
  cold_start.params = {{"shared_users", std::to_string(shared)},
                       {"files", "train.txt, valid.txt, test.txt per domain folder"}};
  finish_domains(dataset, builders, std::move(cold_start), report);
  for (Domain& domain : dataset.domains) {
    for (std::string& id : domain.item_ids) id = domain.name + ":" + id;
  }
  return dataset;
}

}  // namespace graft::io
