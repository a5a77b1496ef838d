#pragma once
// The one error idiom of preflight: an exception carrying what failed, where, and
// what to do. Library code throws Error; the program catches it at one place
// (cli/main.cpp), prints what() on one line and exits with ExitCode::undecided.
#include <stdexcept>
#include <string>

namespace preflight {

enum class ExitCode : int {
  go = 0,         // go, or warn without --strict
  no_go = 1,      // a rule blocks (or warns under --strict)
  undecided = 2,  // bad input, unreachable host, missing fact: never a go
};

class Error : public std::runtime_error {
 public:
  // message: "<where>: <what failed>"; hint: what the operator should do (may be empty).
  explicit Error(const std::string& message, const std::string& hint = {})
      : std::runtime_error(hint.empty() ? message : message + "; " + hint) {}
};

}  // namespace preflight
