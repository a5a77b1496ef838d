#pragma once
// Runs a program (no shell) and captures what it printed, for end-to-end tests.
#include <string>
#include <vector>

namespace preflight::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH when it has no '/'. `env` entries "NAME=value" are
// added to the inherited environment. `input` is written to its stdin.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          const std::string& input = {});

// run_process with build/bin/preflight as argv[0].
ProcessResult run_preflight(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Absolute path of a file under fixtures/.
std::string fixture(const std::string& relative);

}  // namespace preflight::test
