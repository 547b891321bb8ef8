// dataset.h5 reader and writer; the layout is documented in graph_io/SCHEMA.md.
#include "graph_io/hdf5_store.h"

#include <H5Cpp.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <type_traits>

#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::io {

namespace {

constexpr const char* kFormatName = "graft-dataset";
// Arrays are written in chunks of this many elements, shuffled and deflated (dense feature
// values excepted, see Writer::dense).
constexpr hsize_t kChunkElements = hsize_t{1} << 18;
constexpr int kDeflateLevel = 1;  // fast: reading back stays I/O-bound
constexpr hsize_t kMaxExpansion = 1100;  // bound on stored bytes → array bytes (deflate: ~1032)

template <typename T>
const H5::PredType& native_type() {
  if constexpr (std::is_same_v<T, int64_t>) return H5::PredType::NATIVE_INT64;
  else if constexpr (std::is_same_v<T, int32_t>) return H5::PredType::NATIVE_INT32;
  else if constexpr (std::is_same_v<T, int8_t>) return H5::PredType::NATIVE_INT8;
  else if constexpr (std::is_same_v<T, uint8_t>) return H5::PredType::NATIVE_UINT8;
  else if constexpr (std::is_same_v<T, float>) return H5::PredType::NATIVE_FLOAT;
  else static_assert(sizeof(T) == 0, "unsupported element type");
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, int64_t>) return "int64";
  else if constexpr (std::is_same_v<T, int32_t>) return "int32";
  else if constexpr (std::is_same_v<T, int8_t>) return "int8";
  else if constexpr (std::is_same_v<T, uint8_t>) return "uint8";
  else return "float32";
}

// Timestamps in object headers would make two writes of the same data differ byte for byte.
H5::DSetCreatPropList dataset_properties(hsize_t rows, hsize_t cols) {
  H5::DSetCreatPropList props;
  H5Pset_obj_track_times(props.getId(), false);
  if (rows > 0 && cols > 0) {
    const hsize_t chunk_rows = std::max<hsize_t>(1, std::min(rows, kChunkElements / cols));
    const hsize_t chunk[2] = {chunk_rows, cols};
    props.setChunk(cols == 1 ? 1 : 2, chunk);
    props.setShuffle();
    props.setDeflate(kDeflateLevel);
    props.setFletcher32();  // a damaged chunk fails its checksum instead of reaching inflate
  }
  return props;
}

// The 1.10 file format: version-3 superblock and version-2 object headers, whose checksums let
// HDF5 refuse damaged metadata instead of trusting it (see superblock_problem).
H5::FileAccPropList file_access() {
  H5::FileAccPropList fapl;
  fapl.setLibverBounds(H5F_LIBVER_V110, H5F_LIBVER_V110);
  return fapl;
}

// The root group is created with the file and takes its timestamp setting from here.
H5::FileCreatPropList file_creation() {
  H5::FileCreatPropList fcpl;
  H5Pset_obj_track_times(fcpl.getId(), false);
  return fcpl;
}

class Writer {
 public:
  explicit Writer(const std::string& path) : file_(path, H5F_ACC_TRUNC, file_creation(), file_access()) {}

  H5::Group group(const std::string& path) {
    H5::PropList gcpl(H5P_GROUP_CREATE);  // from the class: the list is owned, not copied
    H5Pset_obj_track_times(gcpl.getId(), false);
    const hid_t id = H5Gcreate2(file_.getId(), path.c_str(), H5P_DEFAULT, gcpl.getId(), H5P_DEFAULT);
    if (id < 0) throw DataError("cannot create HDF5 group " + path);
    // H5::Group(id) takes a reference of its own; dropping ours lets the file really close
    // (and be flushed) when the writer closes it, before write_atomically renames it.
    H5::Group group(id);
    H5Idec_ref(id);
    return group;
  }

  template <typename T>
  void array(const std::string& path, const std::vector<T>& values, hsize_t cols = 1) {
    const hsize_t rows = cols ? values.size() / cols : 0;
    const hsize_t dims[2] = {rows, cols};
    H5::DataSpace space(cols == 1 ? 1 : 2, dims);
    H5::DataSet ds = file_.createDataSet(path, native_type<T>(), space, dataset_properties(rows, cols));
    if (!values.empty()) ds.write(values.data(), native_type<T>());
  }

  // A [rows, cols] float matrix stored contiguous and unfiltered: dense features (embeddings of
  // 10^5 x 768) hardly compress, and without filters HDF5 reads them straight from the file into
  // the caller's buffer at the speed of a plain read.
  void dense(const std::string& path, const std::vector<float>& values, hsize_t rows, hsize_t cols) {
    const hsize_t dims[2] = {rows, cols};
    H5::DSetCreatPropList props;
    H5Pset_obj_track_times(props.getId(), false);
    H5::DataSet ds = file_.createDataSet(path, native_type<float>(), H5::DataSpace(2, dims), props);
    if (!values.empty()) ds.write(values.data(), native_type<float>());
  }

  // A list of strings as one byte blob plus offsets: far faster than variable-length strings.
  void strings(const std::string& path, const std::vector<std::string>& values) {
    std::vector<uint8_t> chars;
    std::vector<int64_t> offsets{0};
    offsets.reserve(values.size() + 1);
    for (const auto& s : values) {
      chars.insert(chars.end(), s.begin(), s.end());
      offsets.push_back(static_cast<int64_t>(chars.size()));
    }
    group(path);
    array(path + "/chars", chars);
    array(path + "/offsets", offsets);
  }

  H5::H5File& file() { return file_; }

 private:
  H5::H5File file_;
};

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, std::max<size_t>(1, value.size()));
  H5::Attribute attr = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  std::string padded = value;
  padded.resize(std::max<size_t>(1, value.size()), '\0');
  attr.write(type, padded.data());
}

void write_int_attribute(H5::H5Object& object, const std::string& name, int64_t value) {
  H5::Attribute attr = object.createAttribute(name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
  attr.write(H5::PredType::NATIVE_INT64, &value);
}

template <typename Named>
std::vector<std::string> names_of(const std::vector<Named>& xs) {
  std::vector<std::string> out;
  for (const auto& x : xs) out.push_back(x.name);
  return out;
}

// One node type's blocks under `base` (/domains/<d>/features/items or .../users).
void write_feature_blocks(Writer& w, const std::string& base, const std::vector<FeatureBlock>& blocks) {
  w.group(base);
  w.strings(base + "/" + kFeatureNamesList, names_of(blocks));
  for (const FeatureBlock& b : blocks) {
    const std::string path = base + "/" + b.name;
    H5::Group g = w.group(path);
    write_string_attribute(g, "kind", feature_kind_name(b.kind));
    write_int_attribute(g, "rows", b.rows);
    write_int_attribute(g, "width", b.width);
    if (b.kind == FeatureKind::kSparse) {
      w.array(path + "/values", b.values);
      w.array(path + "/offsets", b.offsets);
      w.array(path + "/indices", b.indices);
      if (!b.vocabulary.empty()) w.strings(path + "/vocabulary", b.vocabulary);
    } else {
      w.dense(path + "/values", b.values, static_cast<hsize_t>(b.rows), static_cast<hsize_t>(b.width));
    }
    if (!b.missing.empty()) w.array(path + "/missing", b.missing);
  }
}

void write_contents(const Dataset& dataset, Writer& w) {
  H5::Group root = w.file().openGroup("/");
  write_string_attribute(root, "format", kFormatName);
  write_int_attribute(root, "schema_version", kSchemaVersion);
  write_string_attribute(root, "graft_version", GRAFT_VERSION);

  H5::Group prov = w.group("/provenance");
  write_string_attribute(prov, "command", dataset.provenance.command);
  write_string_attribute(prov, "graft_version", dataset.provenance.graft_version);
  std::vector<std::string> paths, crcs;
  std::vector<int64_t> sizes;
  for (const auto& s : dataset.provenance.sources) {
    paths.push_back(s.path);
    crcs.push_back(s.crc32);
    sizes.push_back(static_cast<int64_t>(s.size));
  }
  w.strings("/provenance/source_paths", paths);
  w.strings("/provenance/source_crc32", crcs);
  w.array("/provenance/source_sizes", sizes);

  w.group("/users");
  w.strings("/users/ids", dataset.user_ids);

  w.group("/domains");
  w.strings("/domain_names", names_of(dataset.domains));
  for (const Domain& d : dataset.domains) {
    const std::string base = "/domains/" + d.name;
    w.group(base);
    w.group(base + "/items");
    w.strings(base + "/items/ids", d.item_ids);
    if (d.has_categories()) {
      w.array(base + "/items/category_offsets", d.item_category_offsets);
      w.array(base + "/items/category", d.item_category);
    }
    w.strings(base + "/category_names", d.category_names);
    const Interactions& x = d.interactions;
    w.group(base + "/interactions");
    w.array(base + "/interactions/user", x.user);
    w.array(base + "/interactions/item", x.item);
    if (x.has_time()) w.array(base + "/interactions/time", x.time);
    if (x.has_behavior()) w.array(base + "/interactions/behavior", x.behavior);
    if (x.has_weight()) w.array(base + "/interactions/weight", x.weight);
    w.group(base + "/features");
    write_feature_blocks(w, base + "/features/items", d.item_features);
    write_feature_blocks(w, base + "/features/users", d.user_features);
  }

  w.group("/splits");
  w.strings("/split_names", names_of(dataset.splits));
  for (const Split& s : dataset.splits) {
    const std::string base = "/splits/" + s.name;
    H5::Group g = w.group(base);
    write_string_attribute(g, "kind", s.kind);
    std::vector<std::string> keys, values, parts;
    for (const auto& [k, v] : s.params) {
      keys.push_back(k);
      values.push_back(v);
    }
    w.strings(base + "/param_keys", keys);
    w.strings(base + "/param_values", values);
    for (const DomainSplit& p : s.parts) parts.push_back(p.domain);
    w.strings(base + "/part_names", parts);
    w.group(base + "/parts");
    for (const DomainSplit& p : s.parts) {
      const std::string pb = base + "/parts/" + p.domain;
      H5::Group pg = w.group(pb);
      write_int_attribute(pg, "negatives_per_case", p.negatives_per_case);
      w.array(pb + "/train", p.train);
      w.array(pb + "/valid", p.valid);
      w.array(pb + "/test", p.test);
      w.array(pb + "/cold_start_users", p.cold_start_users);
      const auto k = static_cast<hsize_t>(std::max<int64_t>(1, p.negatives_per_case));
      w.array(pb + "/valid_negatives", p.valid_negatives, k);
      w.array(pb + "/test_negatives", p.test_negatives, k);
    }
  }
}

// libhdf5 trusts a file's metadata: on a damaged file it can read out of bounds (seen while
// fuzzing). So a file is opened only when its superblock is the kind graft writes — version 2
// or later, whose metadata HDF5 checksums — and records the file's actual size. Returns what is
// wrong, or "" when the file may be opened.
std::string superblock_problem(const std::string& path) {
  // Superblock v2/v3: signature, version, offset size, length size, flags, then four 8-byte
  // addresses (base, extension, end of file, root group) and a checksum.
  constexpr char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  constexpr size_t kVersion = 8, kOffsetSize = 9, kBase = 12, kEndOfFile = 28, kSize = 48;
  unsigned char head[kSize] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(head), kSize);
  if (in.gcount() < static_cast<std::streamsize>(kVersion + 1) || std::memcmp(head, kSignature, 8) != 0) {
    return "not an HDF5 file";
  }
  if (head[kVersion] < 2) {
    return "HDF5 superblock version " + std::to_string(head[kVersion]) +
           " has no checksums; graft writes version 2 or later (not a graft dataset)";
  }
  if (in.gcount() < static_cast<std::streamsize>(kSize) || head[kOffsetSize] != 8) {
    return "unsupported or damaged HDF5 superblock";
  }
  auto address = [&](size_t at) {
    uint64_t value = 0;
    for (size_t i = 8; i-- > 0;) value = (value << 8) | head[at + i];  // little-endian
    return value;
  };
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec || address(kBase) != 0 || address(kEndOfFile) != size) {
    return "the HDF5 superblock records " + std::to_string(address(kEndOfFile)) + " bytes but the file has " +
           std::to_string(size) + " (truncated or damaged)";
  }
  return "";
}

// Reads with every failure turned into a DataError naming the file and the HDF5 path.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    require_readable_file(path);
    if (const std::string problem = superblock_problem(path); !problem.empty()) fail("/", problem);
    file_ = H5::H5File(path, H5F_ACC_RDONLY);
  }

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw DataError(path_ + ": " + where + ": " + what);
  }

  bool exists(const std::string& path) const {
    // Walk the path one link at a time: H5Lexists fails on a missing intermediate group.
    size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos) {
      if (H5Lexists(file_.getId(), path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return H5Lexists(file_.getId(), path.c_str(), H5P_DEFAULT) > 0;
  }

  void require(const std::string& path) const {
    if (path != "/" && !exists(path)) fail(path, "missing (the file is not a complete graft dataset)");
  }

  std::string string_attribute(const std::string& object, const std::string& name) const {
    require(object);
    const H5::H5Object& obj = open_object(object);
    if (!obj.attrExists(name)) fail(object, "missing attribute '" + name + "'");
    H5::Attribute attr = obj.openAttribute(name);
    if (attr.getSpace().getSimpleExtentNpoints() != 1) fail(object + "@" + name, "expected a scalar attribute");
    if (attr.getTypeClass() != H5T_STRING) fail(object + "@" + name, "expected a string attribute");
    H5::StrType type = attr.getStrType();
    if (type.isVariableStr()) fail(object + "@" + name, "expected a fixed-length string attribute");
    std::string value(type.getSize(), '\0');
    attr.read(type, value.data());
    value.resize(std::strlen(value.c_str()));
    return value;
  }

  int64_t int_attribute(const std::string& object, const std::string& name) const {
    require(object);
    const H5::H5Object& obj = open_object(object);
    if (!obj.attrExists(name)) fail(object, "missing attribute '" + name + "'");
    H5::Attribute attr = obj.openAttribute(name);
    if (attr.getTypeClass() != H5T_INTEGER || attr.getSpace().getSimpleExtentNpoints() != 1) {
      fail(object + "@" + name, "expected a scalar integer attribute");
    }
    int64_t value = 0;
    attr.read(H5::PredType::NATIVE_INT64, &value);
    return value;
  }

  // Reads a rank-1 array (or rank-2 with `cols` columns when cols > 1) of exactly type T.
  template <typename T>
  std::vector<T> array(const std::string& path, hsize_t cols = 1) const {
    require(path);
    try {
      return array_unchecked<T>(path, cols);
    } catch (const H5::Exception& e) {
      fail(path, "unreadable (" + e.getDetailMsg() + ")");
    }
  }

  template <typename T>
  std::vector<T> array_unchecked(const std::string& path, hsize_t cols) const {
    H5::DataSet ds = file_.openDataSet(path);
    const H5::DataType stored = ds.getDataType();
    const H5::PredType& want = native_type<T>();
    if (stored.getClass() != want.getClass() || stored.getSize() != want.getSize() ||
        (stored.getClass() == H5T_INTEGER && H5Tget_sign(stored.getId()) != H5Tget_sign(want.getId()))) {
      fail(path, std::string("wrong dtype, expected ") + type_name<T>());
    }
    H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    hsize_t dims[2] = {0, 0};
    if (rank < 1 || rank > 2) fail(path, "expected a 1- or 2-dimensional array");
    space.getSimpleExtentDims(dims);
    const hsize_t got_cols = rank == 2 ? dims[1] : 1;
    if (got_cols != cols && dims[0] != 0) {
      fail(path, "expected " + std::to_string(cols) + " columns, got " + std::to_string(got_cols));
    }
    // A damaged header could claim more elements than the file holds; reading would then
    // allocate without bound. Deflated chunks expand at most about 1032-fold.
    const hsize_t bytes_stored = H5Dget_storage_size(ds.getId());
    if (dims[0] != 0 && (got_cols > (bytes_stored * kMaxExpansion + 4096) / sizeof(T) / dims[0])) {
      fail(path, "declares " + std::to_string(dims[0]) + " x " + std::to_string(got_cols) + " elements but stores " +
                     std::to_string(bytes_stored) + " bytes (damaged file)");
    }
    std::vector<T> values(static_cast<size_t>(dims[0] * got_cols));
    if (!values.empty()) ds.read(values.data(), want);
    return values;
  }

  std::vector<std::string> strings(const std::string& path) const {
    const auto chars = array<uint8_t>(path + "/chars");
    const auto offsets = array<int64_t>(path + "/offsets");
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != static_cast<int64_t>(chars.size()) ||
        !std::is_sorted(offsets.begin(), offsets.end())) {
      fail(path + "/offsets", "not a valid offset array for " + std::to_string(chars.size()) + " bytes");
    }
    std::vector<std::string> out;
    out.reserve(offsets.size() - 1);
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      out.emplace_back(reinterpret_cast<const char*>(chars.data()) + offsets[i],
                       static_cast<size_t>(offsets[i + 1] - offsets[i]));
    }
    return out;
  }

  template <typename T>
  std::vector<T> optional_array(const std::string& path) const {
    return exists(path) ? array<T>(path) : std::vector<T>{};
  }

 private:
  const H5::H5Object& open_object(const std::string& path) const {
    // Attributes live on the root group or on named groups.
    holder_ = file_.openGroup(path);
    return holder_;
  }

  std::string path_;
  H5::H5File file_;
  mutable H5::Group holder_;
};

void check_name(const Reader& r, const std::string& list, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    r.fail(list, "invalid name '" + name + "'");
  }
}

// A block's rows or width: non-negative, and small enough that rows + 1 and the like cannot
// overflow (nothing is allocated from it; array extents come from the datasets themselves).
int64_t size_attribute(const Reader& r, const std::string& object, const std::string& name) {
  constexpr int64_t kLimit = int64_t{1} << 48;
  const int64_t value = r.int_attribute(object, name);
  if (value < 0 || value > kLimit) r.fail(object + "@" + name, "implausible size " + std::to_string(value));
  return value;
}

void require_length(const Reader& r, const std::string& path, size_t got, int64_t want, const char* what) {
  if (static_cast<int64_t>(got) != want) {
    r.fail(path, "has " + std::to_string(got) + " elements, expected " + what + " = " + std::to_string(want));
  }
}

// The extents the block's attributes fix are checked here; the contents (CSR, column range,
// finite values, rows against the domain) by validate().
FeatureBlock read_feature_block(const Reader& r, const std::string& path, const std::string& name) {
  FeatureBlock b;
  b.name = name;
  const std::string kind = r.string_attribute(path, "kind");
  const std::optional<FeatureKind> parsed = parse_feature_kind(kind);
  if (!parsed) r.fail(path + "@kind", "unknown feature kind '" + kind + "' (dense, sparse or scalar)");
  b.kind = *parsed;
  b.rows = size_attribute(r, path, "rows");
  b.width = size_attribute(r, path, "width");
  if (b.kind == FeatureKind::kSparse) {
    b.offsets = r.array<int64_t>(path + "/offsets");
    require_length(r, path + "/offsets", b.offsets.size(), b.rows + 1, "rows + 1");
    b.indices = r.array<int32_t>(path + "/indices");
    b.values = r.array<float>(path + "/values");
    require_length(r, path + "/values", b.values.size(), static_cast<int64_t>(b.indices.size()), "one per index");
    if (r.exists(path + "/vocabulary")) b.vocabulary = r.strings(path + "/vocabulary");
  } else {
    if (b.width < 1) r.fail(path + "@width", "must be at least 1 for a " + kind + " block");
    b.values = r.array<float>(path + "/values", static_cast<hsize_t>(b.width));
    require_length(r, path + "/values", b.values.size() / static_cast<size_t>(b.width), b.rows, "rows");
  }
  b.missing = r.optional_array<uint8_t>(path + "/missing");
  if (!b.missing.empty()) require_length(r, path + "/missing", b.missing.size(), b.rows, "rows");
  return b;
}

std::vector<FeatureBlock> read_feature_blocks(const Reader& r, const std::string& base) {
  std::vector<FeatureBlock> blocks;
  const std::string list = base + "/" + kFeatureNamesList;
  for (const std::string& name : r.strings(list)) {
    check_name(r, list, name);
    blocks.push_back(read_feature_block(r, base + "/" + name, name));
  }
  return blocks;
}

Dataset read_contents(const Reader& r) {
  const std::string format = r.string_attribute("/", "format");
  if (format != kFormatName) r.fail("/", "not a graft dataset (attribute 'format' is '" + format + "')");
  const int64_t version = r.int_attribute("/", "schema_version");
  if (version < kOldestSchemaVersion || version > kSchemaVersion) {
    r.fail("/", "unknown schema version " + std::to_string(version) + " (this graft reads versions " +
                    std::to_string(kOldestSchemaVersion) + " to " + std::to_string(kSchemaVersion) +
                    (version > kSchemaVersion ? "; the file was written by a newer graft" : "") + ")");
  }

  Dataset ds;
  ds.provenance.command = r.string_attribute("/provenance", "command");
  ds.provenance.graft_version = r.string_attribute("/provenance", "graft_version");
  const auto paths = r.strings("/provenance/source_paths");
  const auto crcs = r.strings("/provenance/source_crc32");
  const auto sizes = r.array<int64_t>("/provenance/source_sizes");
  if (crcs.size() != paths.size() || sizes.size() != paths.size()) {
    r.fail("/provenance", "source_paths, source_crc32 and source_sizes differ in length");
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    ds.provenance.sources.push_back(SourceFile{paths[i], static_cast<uint64_t>(sizes[i]), crcs[i]});
  }

  ds.user_ids = r.strings("/users/ids");
  for (const std::string& name : r.strings("/domain_names")) {
    check_name(r, "/domain_names", name);
    const std::string base = "/domains/" + name;
    Domain d;
    d.name = name;
    d.item_ids = r.strings(base + "/items/ids");
    d.category_names = r.strings(base + "/category_names");
    d.item_category_offsets = r.optional_array<int64_t>(base + "/items/category_offsets");
    d.item_category = r.optional_array<int32_t>(base + "/items/category");
    Interactions& x = d.interactions;
    x.user = r.array<int64_t>(base + "/interactions/user");
    x.item = r.array<int64_t>(base + "/interactions/item");
    x.time = r.optional_array<int64_t>(base + "/interactions/time");
    x.behavior = r.optional_array<int8_t>(base + "/interactions/behavior");
    x.weight = r.optional_array<float>(base + "/interactions/weight");
    if (version >= 2) {
      d.item_features = read_feature_blocks(r, base + "/features/items");
      d.user_features = read_feature_blocks(r, base + "/features/users");
    }
    ds.domains.push_back(std::move(d));
  }

  for (const std::string& name : r.strings("/split_names")) {
    check_name(r, "/split_names", name);
    const std::string base = "/splits/" + name;
    Split s;
    s.name = name;
    s.kind = r.string_attribute(base, "kind");
    const auto keys = r.strings(base + "/param_keys");
    const auto values = r.strings(base + "/param_values");
    if (keys.size() != values.size()) r.fail(base, "param_keys and param_values differ in length");
    for (size_t i = 0; i < keys.size(); ++i) s.params[keys[i]] = values[i];
    for (const std::string& domain : r.strings(base + "/part_names")) {
      check_name(r, base + "/part_names", domain);
      const std::string pb = base + "/parts/" + domain;
      DomainSplit p;
      p.domain = domain;
      p.negatives_per_case = r.int_attribute(pb, "negatives_per_case");
      if (p.negatives_per_case < 0) r.fail(pb, "negative negatives_per_case");
      p.train = r.array<int64_t>(pb + "/train");
      p.valid = r.array<int64_t>(pb + "/valid");
      p.test = r.array<int64_t>(pb + "/test");
      p.cold_start_users = r.array<int64_t>(pb + "/cold_start_users");
      const auto k = static_cast<hsize_t>(std::max<int64_t>(1, p.negatives_per_case));
      p.valid_negatives = r.array<int64_t>(pb + "/valid_negatives", k);
      p.test_negatives = r.array<int64_t>(pb + "/test_negatives", k);
      s.parts.push_back(std::move(p));
    }
    ds.splits.push_back(std::move(s));
  }
  return ds;
}

// The C++ API prints every error stack to stderr by default; errors are reported by graft.
struct SilenceHdf5 {
  SilenceHdf5() { H5::Exception::dontPrint(); }
};

}  // namespace

void write_dataset(const Dataset& dataset, const std::string& path) {
  static SilenceHdf5 silence;
  validate(dataset, path);
  write_atomically(path, [&](const std::string& tmp) {
    try {
      Writer writer(tmp);
      write_contents(dataset, writer);
      writer.file().close();
    } catch (const H5::Exception& e) {
      throw DataError(path + ": writing HDF5 failed in " + e.getFuncName() + ": " + e.getDetailMsg());
    }
  });
}

Dataset read_dataset(const std::string& path) {
  static SilenceHdf5 silence;
  Dataset dataset;
  try {
    Reader reader(path);
    dataset = read_contents(reader);
  } catch (const H5::Exception& e) {
    throw DataError(path + ": unreadable HDF5 (" + e.getFuncName() + ": " + e.getDetailMsg() + ")");
  }
  validate(dataset, path);
  return dataset;
}

}  // namespace graft::io
