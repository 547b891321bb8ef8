// --format embeddings: one dense item block (--block) from a precomputed embedding matrix, joined
// to the items of the dataset --into by external item id.
//
// inputs = matrix, row-id file.
//   matrix   .npy (float32/float64, 2-D, C order), a 2-D float dataset of an HDF5 file
//            (--hdf5-dataset), or otherwise raw little-endian float32 whose width is the file
//            size / 4 / rows;
//   row ids  one external item id per line, line i naming row i (blank lines skipped; the
//            matrix has exactly one row per id), or "id<TAB>row" pairs naming 0-based rows
//            explicitly (UniSRec's item2index), any order, each row at most once; a raw matrix
//            then has max(row) + 1 rows. Rows no id points to are counted as "unused rows".
// Ids that are not items of the domain are counted ("ids not in the dataset"; the import refuses
// when none match). Items that no id names get a zero row marked in the block's `missing` mask
// ("items without a row"). Every matrix row must be finite.
// The result is the whole --into dataset with the block added; its provenance sources are the
// three files read.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "graph_io/embedding_matrix.h"
#include "graph_io/errors.h"
#include "graph_io/id_map.h"
#include "graph_io/import_formats.h"

namespace graft::io {

namespace {

// Which matrix row holds which external item id, as the row-id file says.
struct RowIds {
  std::string path;
  bool explicit_rows = false;  // "id<TAB>row" pairs
  std::vector<std::string> ids;
  std::vector<int64_t> rows;   // matrix row of ids[k]
  std::vector<int64_t> lines;  // line of ids[k], for messages
};

RowIds read_row_ids(const std::string& path) {
  RowIds out;
  out.path = path;
  TextReader reader(path, Delimiter::character('\t'), 1, 2);
  std::unordered_map<std::string, int64_t> line_of_id;
  std::unordered_map<int64_t, int64_t> line_of_row;
  while (reader.next()) {
    if (out.ids.empty()) {
      out.explicit_rows = reader.size() == 2;
      reader.set_field_count(reader.size(), reader.size());  // every line like the first
    }
    std::string id(reader.text(0, "item id"));
    const int64_t row = out.explicit_rows ? reader.id(1, "row") : static_cast<int64_t>(out.ids.size());
    const auto [seen_id, new_id] = line_of_id.emplace(id, reader.line_number());
    if (!new_id)
      reader.fail("duplicate id " + quote_value(id) + " (first on line " + std::to_string(seen_id->second) + ")");
    const auto [seen_row, new_row] = line_of_row.emplace(row, reader.line_number());
    if (!new_row)
      reader.fail("row " + std::to_string(row) + " already given on line " + std::to_string(seen_row->second));
    out.ids.push_back(std::move(id));
    out.rows.push_back(row);
    out.lines.push_back(reader.line_number());
  }
  return out;
}

EmbeddingMatrix read_matrix(const ImportOptions& options, const RowIds& ids) {
  const std::string& path = options.inputs[0];
  if (!options.hdf5_dataset.empty()) return read_hdf5_matrix(path, options.hdf5_dataset);
  if (is_npy_file(path)) return read_npy_matrix(path);
  const int64_t rows = ids.explicit_rows ? *std::max_element(ids.rows.begin(), ids.rows.end()) + 1
                                         : static_cast<int64_t>(ids.ids.size());
  return read_raw_float32_matrix(path, rows);
}

// The matrix fits the row-id file: one row per id in order, or every explicit row in range.
void check_shape(const RowIds& ids, const EmbeddingMatrix& m, const std::string& matrix_path) {
  if (m.width < 1) throw DataError(matrix_path + ": the matrix has width 0");
  if (!ids.explicit_rows && static_cast<int64_t>(ids.ids.size()) != m.rows) {
    throw DataError(ids.path + ": " + std::to_string(ids.ids.size()) + " ids for the " + std::to_string(m.rows) +
                    " rows of " + matrix_path + " (one id per row, in order; 'id<TAB>row' pairs select rows)");
  }
  for (size_t k = 0; k < ids.rows.size(); ++k) {
    if (ids.rows[k] >= m.rows) {
      throw_at_line(ids.path, ids.lines[k],
                    "row " + std::to_string(ids.rows[k]) + " is beyond the " + std::to_string(m.rows) + " rows of " +
                        matrix_path);
    }
  }
}

void require_finite(const EmbeddingMatrix& m, const std::string& path) {
  for (int64_t r = 0; r < m.rows; ++r) {
    const float* row = m.values.data() + r * m.width;
    const float* bad = std::find_if(row, row + m.width, [](float x) { return !std::isfinite(x); });
    if (bad != row + m.width) {
      throw DataError(path + ": row " + std::to_string(r) + ": " + (std::isnan(*bad) ? "NaN" : "Inf") + " at column " +
                      std::to_string(bad - row));
    }
  }
}

// A warning count; reasons that did not occur stay out of the summary.
void note(ImportReport& report, const std::string& reason, int64_t n) {
  if (n > 0) report.dropped[reason] += n;
}

// The block: item i's row where the row-id file names item i, else zeros marked missing.
FeatureBlock join_rows(const Domain& domain, const RowIds& ids, const EmbeddingMatrix& m, const ImportOptions& options,
                       ImportReport& report) {
  IdMap items;
  for (const std::string& id : domain.item_ids) items.add(id);
  FeatureBlock b;
  b.name = options.block;
  b.rows = domain.num_items();
  b.width = m.width;
  b.values.assign(static_cast<size_t>(b.rows * b.width), 0.0f);
  b.missing.assign(static_cast<size_t>(b.rows), 1);
  std::vector<bool> used(static_cast<size_t>(m.rows), false);
  int64_t unknown = 0;
  for (size_t k = 0; k < ids.ids.size(); ++k) {
    used[static_cast<size_t>(ids.rows[k])] = true;
    const std::optional<int64_t> item = items.find(ids.ids[k]);
    if (!item) {
      ++unknown;
      continue;
    }
    std::copy_n(m.values.data() + ids.rows[k] * m.width, m.width, b.values.data() + *item * b.width);
    b.missing[static_cast<size_t>(*item)] = 0;
  }
  if (unknown == static_cast<int64_t>(ids.ids.size())) {
    throw DataError(ids.path + ": none of its " + std::to_string(unknown) + " ids is an item of domain '" +
                    domain.name + "' in " + options.into + " (first id " + quote_value(ids.ids.front()) + ")");
  }
  note(report, "ids not in the dataset", unknown);
  note(report, "items without a row", b.num_missing());
  note(report, "unused rows", std::count(used.begin(), used.end(), false));
  if (b.num_missing() == 0) b.missing.clear();
  return b;
}

}  // namespace

Dataset import_embeddings(const ImportOptions& options, ImportReport& report) {
  require_inputs(options, 2, 2, "the embedding matrix and the row-id file");
  if (options.block.empty()) throw UsageError("embeddings: --block is required (the new feature block's name)");
  Dataset dataset = read_into_dataset(options);
  Domain& domain = feature_domain(dataset, options);
  require_new_item_block(domain, options.block, options);

  const RowIds ids = read_row_ids(options.inputs[1]);
  const EmbeddingMatrix matrix = read_matrix(options, ids);
  check_shape(ids, matrix, options.inputs[0]);
  require_finite(matrix, options.inputs[0]);
  report.lines_read = matrix.rows;  // rows read, for the summary
  domain.item_features.push_back(join_rows(domain, ids, matrix, options, report));
  dataset.provenance.sources = {SourceFile{options.into, 0, ""}, SourceFile{options.inputs[0], 0, ""},
                                SourceFile{options.inputs[1], 0, ""}};
  return dataset;
}

}  // namespace graft::io
