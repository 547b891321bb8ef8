// The message a callable throws, for tests that check what an error says: LibTorch errors
// without their backtrace, other exceptions as what(), "(no error)" when nothing is thrown.
#pragma once

#include <c10/util/Exception.h>

#include <exception>
#include <string>

namespace graft::testing {

template <typename Fn>
std::string error_of(const Fn& fn) {
  try {
    fn();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace graft::testing
