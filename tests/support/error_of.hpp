#pragma once
// The message of the preflight::Error that `fn` throws ("what; hint"), or "no error"
// when it returns: tests assert error texts word for word.
#include <string>
#include <utility>

#include "core/error.hpp"

namespace preflight::test {

template <class F>
std::string error_of(F&& fn) {
  try {
    std::forward<F>(fn)();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace preflight::test
