// libFuzzer target: read_dataset on arbitrary bytes written to a .h5 file. DataError is the
// expected answer to a corrupt or foreign file; any other exception, a crash or a sanitizer
// report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graph_io/errors.h"
#include "graph_io/hdf5_store.h"
#include "tests/fuzz/fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = graft::fuzz::scratch_dir() / "dataset.h5";
  graft::fuzz::write_file(path, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    graft::io::read_dataset(path.string());
  } catch (const graft::io::DataError&) {
  }
  return 0;
}
