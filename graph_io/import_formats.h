// The importers behind import_dataset() (graph_io/importers.h), one per format in
// import_<format>.cpp, and the steps they share. Each importer reads options.inputs into a
// Dataset — users, domains, splits, and the paths of the files it read in provenance.sources
// (import_dataset adds their sizes and checksums) — and adds its counts to the report.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/domain_builder.h"
#include "graph_io/importers.h"
#include "graph_io/text_reader.h"

namespace graft::io {

Dataset import_cdr_pairs(const ImportOptions& options, ImportReport& report);
Dataset import_lightgcn(const ImportOptions& options, ImportReport& report);
Dataset import_movielens(const ImportOptions& options, ImportReport& report);
Dataset import_csv(const ImportOptions& options, ImportReport& report);
Dataset import_behavior_log(const ImportOptions& options, ImportReport& report);
Dataset import_embeddings(const ImportOptions& options, ImportReport& report);
Dataset import_sequences(const ImportOptions& options, ImportReport& report);
Dataset import_item_metadata(const ImportOptions& options, ImportReport& report);
Dataset import_unisrec(const ImportOptions& options, ImportReport& report);
Dataset import_behaviour_lists(const ImportOptions& options, ImportReport& report);
Dataset import_xmarket(const ImportOptions& options, ImportReport& report);

// "a, b, c", for messages that list valid names.
std::string join(const std::vector<std::string>& names);

// The ImportReport::dropped reason for ratings below --min-rating, e.g. "rated below 3.5".
std::string rated_below_reason(double min_rating);

// Throws UsageError unless there are min..max inputs; `what` describes them for the message.
void require_inputs(const ImportOptions& options, size_t min, size_t max, const std::string& what);

// The domain name of a format that has none: --domain, or "main".
std::string domain_name_option(const ImportOptions& options);

// The last name of a folder path: "game_video" for "data/game_video", "data/game_video/", or "."
// inside it.
std::string folder_name(const std::string& folder);

// The part of a given split that the i-th of n input files holds: one file is all training;
// two are train, test; three are train, valid, test.
Part part_of_input(size_t i, size_t n);

// Split "given" (kind "given") for two or three input files, see part_of_input; none for one.
std::optional<Split> given_split_of_inputs(const ImportOptions& options);

// Notes a completely read file: its records in the report, its path in the provenance.
void record_file_read(const TextReader& reader, Dataset& dataset, ImportReport& report);

// Feature imports (graph_io/feature_imports.cpp) add blocks to the items of an existing dataset:
// the whole dataset named by --into (UsageError when not given), the domain whose items get the
// blocks (--domain, or the only domain; UsageError naming the domains otherwise), and a check
// that a new item block may take `name` (valid, not yet present; UsageError naming the file).
// require_into is the first check alone, for importers that validate their arguments before reading.
void require_into(const ImportOptions& options);
Dataset read_into_dataset(const ImportOptions& options);
Domain& feature_domain(Dataset& dataset, const ImportOptions& options);
void require_new_item_block(const Domain& domain, const std::string& name, const ImportOptions& options);

// "text (dense 12101x256, 7 missing)", for the report.
std::string describe_block(const FeatureBlock& block);

// Adds `block` to the domain's item features, replacing a block of the same name, and lists it
// in the report.
void add_item_block(Domain& domain, FeatureBlock block, ImportReport& report);

// Featurises one text per item (options.text) into the block options.block, or "text", and adds
// it; counts "empty text" for the items whose text has no word, beyond the `without_text` items
// that had no text at all.
void add_text_block(Domain& domain, const std::vector<std::string>& texts, int64_t without_text,
                    const ImportOptions& options, ImportReport& report);

// Finishes the builders into dataset.domains (users must be complete by now) and counts their
// interactions and merged duplicates in the report. When `given` is set, each domain's
// train/valid/test parts are added to it and it is appended to dataset.splits.
void finish_domains(Dataset& dataset, std::vector<DomainBuilder>& builders, std::optional<Split> given,
                    ImportReport& report);

}  // namespace graft::io
