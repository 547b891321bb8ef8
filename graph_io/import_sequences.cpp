// sequences: one line per user, "user item item ...", separated by spaces or tabs, items in time
// order (the P5 / S3-Rec user_sequence.txt layout of the Amazon datasets). Ids are any strings.
// The sequences carry no timestamps: an interaction's time is its position in the user's
// sequence (0, 1, 2, ...), which is all that temporal and leave-one-out splits need. A user on
// several lines continues counting where the last line stopped. A repeated item of a user is
// merged into the first (earliest) one; a line with a user and no item is dropped ("user without
// items"). One input file; no split (add one with `graft data split`).
#include "graph_io/import_formats.h"

namespace graft::io {

Dataset import_sequences(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 1, "one sequence file");
  Dataset dataset;
  IdMap users;
  std::vector<int64_t> next_position;  // per user
  std::vector<DomainBuilder> builders;
  builders.emplace_back(domain_name_option(options), InteractionColumns{true, false, false});
  DomainBuilder& domain = builders.back();

  TextReader in(options.inputs.front(), Delimiter::whitespace(), 1, TextReader::kAnyNumber);
  while (in.next()) {
    if (in.size() == 1) {
      ++report.dropped["user without items"];
      continue;
    }
    const int64_t user = users.add(in.field(0));
    if (user == static_cast<int64_t>(next_position.size())) next_position.push_back(0);
    int64_t& position = next_position[static_cast<size_t>(user)];
    for (size_t k = 1; k < in.size(); ++k) domain.add(user, domain.items().add(in.field(k)), Part::kTrain, position++);
  }
  record_file_read(in, dataset, report);

  dataset.user_ids = std::move(users).take_ids();
  finish_domains(dataset, builders, std::nullopt, report);
  return dataset;
}

}  // namespace graft::io
