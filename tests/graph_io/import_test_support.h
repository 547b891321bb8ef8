// Helpers for the graph_io reader and importer tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "graph_io/importers.h"

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

}  // namespace graft::testing
