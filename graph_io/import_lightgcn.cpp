// lightgcn: the adjacency-list layout of the LightGCN / NGCF data folders (Gowalla, Yelp2018,
// Amazon-Book): one line per user, "user item item ...", separated by spaces. Inputs are the
// train file and optionally the test file; with a test file the result has split "given".
#include "graph_io/import_formats.h"

namespace graft::io {

Dataset import_lightgcn(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 1, 2, "a train file and optionally a test file");
  Dataset dataset;
  IdMap users;
  std::vector<DomainBuilder> builders;
  builders.emplace_back(domain_name_option(options), InteractionColumns{});
  DomainBuilder& domain = builders.back();

  const size_t files = options.inputs.size();
  for (size_t f = 0; f < files; ++f) {
    TextReader in(options.inputs[f], Delimiter::whitespace(), 1, TextReader::kAnyNumber);
    const Part part = part_of_input(f, files);
    while (in.next()) {
      const int64_t user = users.add_number(static_cast<uint64_t>(in.id(0, "user id")));
      for (size_t k = 1; k < in.size(); ++k) {
        domain.add(user, domain.items().add_number(static_cast<uint64_t>(in.id(k, "item id"))), part);
      }
    }
    record_file_read(in, dataset, report);
  }

  dataset.user_ids = std::move(users).take_ids();
  finish_domains(dataset, builders, given_split_of_inputs(options), report);
  return dataset;
}

}  // namespace graft::io
