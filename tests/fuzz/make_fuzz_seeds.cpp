// Writes the seed corpora of the fuzz targets into <dir>/text and <dir>/hdf5: one small valid
// input per text layout (parts joined by NUL, as fuzz_text_importers cuts them) and two graft
// dataset.h5 files made by importing one of them: as imported, and with feature blocks of every
// kind (schema v2).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"
#include "tests/fuzz/fuzz_files.h"

namespace {

namespace fs = std::filesystem;

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += graft::fuzz::kPartSeparator;
    out += p;
  }
  return out;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& text_seeds() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> seeds = {
      {"pairs", {"1,10\n2,10\n1,11\n", "3,10\n"}},
      {"named", {"user\titem\trating\ttime\tdomain\tcategory\tbehavior\n"
                 "u1\ti1\t4.5\t100\tshop\tc1\tpv\nu2\ti1\t3\t101\tapp\tc2\tbuy\n",
                 "user\titem\trating\ttime\tdomain\tcategory\tbehavior\nu1\ti2\t5\t102\tshop\tc1\tcart\n"}},
      {"indexed", {"shop;1;10;c;pv;100;4\napp;2;11;d;fav;101;2.5\n"}},
      {"behavior_log", {"1,100,5,pv,1511544070\n1,100,5,buy,1511544071\n2,101,6,cart,1511544072\n"}},
      {"lightgcn", {"0 1 2\n1 2 3\n2\n", "0 3\n1 1\n"}},
      {"movielens_100k", {"1\t10\t5\t881250949\n2\t20\t3\t891717742\n",
                          "10|Ten (1995)|01-Jan-1995||http://x|0|1|0\n20|Twenty|||http://y|1|0|1\n",
                          "unknown|0\nAction|1\nComedy|2\n"}},
      {"movielens_1m", {"1::1193::5::978300760\n2::661::3::978302109\n",
                        "1193::One Flew (1975)::Drama\n661::James (1996)::Animation|Children's\n"}},
      {"cdr", {"0\t5\n2\t6\n3\t5\n", "1\t6\n", "1\t7\n", "10\t1\t1\n11\t2\t1\n"}},
      {"sequences", {"A1 B07 B02 B07\nA2\tB02 B09\nA3\n"}},
      // item-metadata joins into items i1, i2, 1, 2, 10 (fuzz_text_importers).
      {"item_metadata", {"item_id:token\ttitle:token\tdescription\tbrand:token\ttags\tprice:float\tcategories\n"
                         "i1\tRose Toner\t\"Mild, \"\"pH 5\"\"\"\tAcme\t'a', 'b'\t5.5\t'Beauty', 'Skin Care'\n"
                         "i2\t\t\t\t\t\t\n"
                         "x9\tUnknown\tx\tZed\t['z']\t1e3\t\"'Beauty', \"\"Women's\"\"\"\n"}},
      {"item_metadata_indexed", {"1,Gel polish,3.5,'Beauty', 'Makeup'\n2,,,\n10,Lip balm,,'Beauty'\n"}},
      {"unisrec", {"user_id:token\titem_id_list:token_seq\titem_id:token\n0\t0 1\t2\n0\t0\t1\n1\t2\t0\n",
                   "user_id:token\titem_id_list:token_seq\titem_id:token\n0\t0 1 2\t3\n1\t2 0\t1\n",
                   "A\t0\nB\t1\nC\t2\nD\t3\n",
                   "user_id:token\titem_id_list:token_seq\titem_id:token\n0\t0 1 2 3\t1\n1\t2 0 1\t3\n"}},
      // behaviour-lists: view, cart and buy train and buy test; the first two are pair files too.
      {"behaviour_lists", {"0 0\n0 1\n1\t1\n1 2\n", "0 1\n1 2\n", "0 1 2\n1 1\n", "0 0\n1 0\n"}},
      // xmarket: two markets sharing item B1.
      {"xmarket", {"userId itemId rate date\nU1 B1 5.0 2019-02-28\nU2 B2 3.0 2020-02-29\n",
                   "userId itemId rate date\nU3 B1 4.0 2018-12-31\n"}},
  };
  return seeds;
}

graft::io::FeatureBlock block(const std::string& name, graft::io::FeatureKind kind, int64_t rows, int64_t width) {
  graft::io::FeatureBlock b;
  b.name = name;
  b.kind = kind;
  b.rows = rows;
  b.width = width;
  return b;
}

// Per domain: a dense and a scalar item block with a missing row, a sparse one with a vocabulary,
// and a dense user block.
graft::io::Dataset with_features(graft::io::Dataset ds) {
  using graft::io::FeatureKind;
  for (graft::io::Domain& d : ds.domains) {
    const int64_t n = d.num_items();
    auto dense = block("text", FeatureKind::kDense, n, 2);
    auto brand = block("brand", FeatureKind::kSparse, n, 3);
    auto price = block("price", FeatureKind::kScalar, n, 1);
    brand.vocabulary = {"acme", "globex", "initech"};
    brand.offsets.push_back(0);
    for (int64_t i = 0; i < n; ++i) {
      dense.values.insert(dense.values.end(), {0.5f * static_cast<float>(i), -1.0f});
      brand.indices.push_back(static_cast<int32_t>(i % 3));
      brand.values.push_back(1.0f);
      brand.offsets.push_back(i + 1);
      price.values.push_back(i == 0 ? 0.0f : 9.99f);
      price.missing.push_back(i == 0 ? 1 : 0);
    }
    d.item_features = {dense, brand, price};
    auto profile = block("profile", FeatureKind::kDense, ds.num_users(), 1);
    profile.values.assign(static_cast<size_t>(ds.num_users()), 0.25f);
    d.user_features = {profile};
  }
  return ds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  try {
    const fs::path root = argv[1];
    for (const auto& [name, parts] : text_seeds()) graft::fuzz::write_file(root / "text" / name, joined(parts));

    const auto& named = text_seeds()[1].second;
    const fs::path scratch = graft::fuzz::scratch_dir();
    graft::io::ImportOptions options;
    options.format = "csv";
    options.delimiter = '\t';
    options.header = true;
    options.columns = {{"user", "user"},     {"item", "item"},         {"rating", "rating"},    {"time", "time"},
                       {"domain", "domain"}, {"category", "category"}, {"behavior", "behavior"}};
    for (size_t i = 0; i < named.size(); ++i) {
      options.inputs.push_back((scratch / ("part" + std::to_string(i))).string());
      graft::fuzz::write_file(options.inputs.back(), named[i]);
    }
    fs::create_directories(root / "hdf5");
    const graft::io::Dataset dataset = graft::io::import_dataset(options);
    graft::io::write_dataset(dataset, (root / "hdf5" / "dataset.h5").string());
    graft::io::write_dataset(with_features(dataset), (root / "hdf5" / "features.h5").string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
