// Reads candidate lists from files into a split's stored negatives (see negatives_file.h).
#include "graph_io/negatives_file.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "graph_io/errors.h"
#include "graph_io/id_map.h"
#include "graph_io/text_reader.h"
#include "graph_io/user_csr.h"

namespace graft::io {

namespace {

struct PartLists {
  std::vector<int64_t> negatives;  // row-major, one row per case
  CandidateFileReport report;
};

class CandidateReader {
 public:
  CandidateReader(const Dataset& dataset, const Domain& domain)
      : dataset_(dataset), domain_(domain), user_items_(items_by_user(domain.interactions, dataset.num_users())) {
    for (const std::string& id : domain.item_ids) items_.add(id);  // index = the domain's item id
  }

  // The lists of the cases `rows` (indices into the domain's interactions) from `path`.
  PartLists read(const std::string& path, const std::vector<int64_t>& rows) const {
    PartLists out;
    out.report.path = path;
    TextReader in(path, Delimiter::whitespace(), 3, TextReader::kAnyNumber);
    std::vector<int64_t> list;
    while (in.next()) {
      const int64_t index = in.records() - 1;
      if (index >= static_cast<int64_t>(rows.size())) {
        in.fail("more lines than the " + std::to_string(rows.size()) + " cases of this part");
      }
      if (out.report.negatives_per_case == 0) out.report.negatives_per_case = static_cast<int64_t>(in.size()) - 2;
      if (static_cast<int64_t>(in.size()) - 2 != out.report.negatives_per_case) {
        in.fail(std::to_string(in.size() - 2) + " negatives, but the first line has " +
                std::to_string(out.report.negatives_per_case));
      }
      const int64_t row = rows[static_cast<size_t>(index)];
      check_case(in, index, row);
      list.clear();
      for (size_t f = 2; f < in.size(); ++f) list.push_back(item(in, f));
      count_departures(domain_.interactions.user[row], domain_.interactions.item[row], list, out.report);
      out.negatives.insert(out.negatives.end(), list.begin(), list.end());
    }
    out.report.cases = in.records();
    if (out.report.cases != static_cast<int64_t>(rows.size())) {
      throw DataError(path + ": " + std::to_string(out.report.cases) + " lines, but the part has " +
                      std::to_string(rows.size()) + " cases (one line per case, in the split's order)");
    }
    return out;
  }

 private:
  void check_case(const TextReader& in, int64_t index, int64_t row) const {
    const std::string& user = dataset_.user_ids[domain_.interactions.user[row]];
    const std::string& positive = domain_.item_ids[domain_.interactions.item[row]];
    if (in.field(0) != user || in.field(1) != positive) {
      in.fail("case " + std::to_string(index + 1) + " is user '" + user + "' with item '" + positive +
              "', but the line starts with " + quote_value(in.field(0)) + " " + quote_value(in.field(1)) +
              " (lines must follow the split's cases in order)");
    }
  }

  int64_t item(const TextReader& in, size_t field) const {
    const std::optional<int64_t> found = items_.find(in.field(field));
    if (!found) {
      in.fail("field " + std::to_string(field + 1) + ": " + quote_value(in.field(field)) + " is not an item of domain '" +
              domain_.name + "'");
    }
    return *found;
  }

  void count_departures(int64_t user, int64_t positive, std::vector<int64_t> list, CandidateFileReport& report) const {
    if (std::find(list.begin(), list.end(), positive) != list.end()) ++report.cases_with_own_positive;
    const bool other = std::any_of(list.begin(), list.end(), [&](int64_t item) {
      return item != positive && std::binary_search(user_items_.begin(user), user_items_.end(user), item);
    });
    if (other) ++report.cases_with_other_positive;
    std::sort(list.begin(), list.end());
    if (std::adjacent_find(list.begin(), list.end()) != list.end()) ++report.cases_with_repeats;
  }

  const Dataset& dataset_;
  const Domain& domain_;
  const UserCsr user_items_;
  IdMap items_;  // external item id → the domain's item index
};

}  // namespace

std::vector<CandidateFileReport> read_candidate_files(Dataset& dataset, const CandidateFilesRequest& request) {
  if (request.valid_path.empty() && request.test_path.empty()) {
    throw UsageError("give a candidate file for the valid cases, the test cases or both");
  }
  const Domain& domain = dataset.domain(request.domain);
  const Split& split = dataset.split(request.split);
  const DomainSplit* part = split.part(request.domain);
  if (part == nullptr) {
    throw UsageError("split '" + request.split + "' has no part for domain '" + request.domain + "'");
  }
  DomainSplit updated = *part;
  const CandidateReader reader(dataset, domain);
  std::vector<CandidateFileReport> reports;
  int64_t per_case = 0;
  for (const bool valid : {true, false}) {
    const std::string& path = valid ? request.valid_path : request.test_path;
    if (path.empty()) continue;
    PartLists lists = reader.read(path, valid ? part->valid : part->test);
    lists.report.part = valid ? "valid" : "test";
    (valid ? updated.valid_negatives : updated.test_negatives) = std::move(lists.negatives);
    per_case = lists.report.negatives_per_case;
    if (!reports.empty() && reports.front().negatives_per_case != per_case) {
      throw DataError(path + ": " + std::to_string(per_case) + " negatives per case, but " + reports.front().path +
                      " has " + std::to_string(reports.front().negatives_per_case));
    }
    reports.push_back(std::move(lists.report));
  }
  const bool kept_valid = request.valid_path.empty() && !part->valid_negatives.empty();
  const bool kept_test = request.test_path.empty() && !part->test_negatives.empty();
  if ((kept_valid || kept_test) && part->negatives_per_case != per_case && per_case > 0) {
    throw DataError(reports.front().path + ": " + std::to_string(per_case) + " negatives per case, but the stored " +
                    (kept_valid ? "valid" : "test") + " cases of split '" + request.split + "' have " +
                    std::to_string(part->negatives_per_case) + " (give both files to change the count)");
  }
  if (per_case > 0) updated.negatives_per_case = per_case;

  Split& target = *dataset.find_split(request.split);
  *std::find_if(target.parts.begin(), target.parts.end(),
                [&](const DomainSplit& p) { return p.domain == request.domain; }) = std::move(updated);
  for (const CandidateFileReport& report : reports) {
    target.params["negatives_file." + request.domain + "." + report.part] = report.path;
  }
  return reports;
}

}  // namespace graft::io
