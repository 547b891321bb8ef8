// Helpers for the graph_io reader and importer tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "graph_io/hdf5_store.h"
#include "graph_io/importers.h"
#include "tests/graph_io/expect_equal_datasets.h"
#include "tests/support/test_support.h"

namespace graft::testing {

// f must throw an E whose message contains every part, e.g. the file name and ":3:" for the
// line. Any other exception fails the test by propagating.
template <typename E, typename F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "message: " << message << "\nlacks: " << part;
    }
    return;
  }
  ADD_FAILURE() << "expected an exception";
}

inline io::ImportOptions import_options(const std::string& format, std::vector<std::string> inputs) {
  io::ImportOptions options;
  options.format = format;
  options.inputs = std::move(inputs);
  return options;
}

// write_dataset then read_dataset gives back the identical dataset.
inline void expect_store_round_trip(const io::Dataset& dataset) {
  TempDir dir;
  io::write_dataset(dataset, dir.file("dataset.h5"));
  io::expect_equal(dataset, io::read_dataset(dir.file("dataset.h5")));
}

}  // namespace graft::testing
