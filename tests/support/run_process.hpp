#pragma once
// Runs a program (no shell) and captures what it printed, for end-to-end tests.
#include <string>
#include <vector>

namespace preflight::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, 0 when it exited
  bool timed_out = false;  // killed (SIGKILL) after the time limit
  std::string out;
  std::string err;
};

// argv[0] is looked up in PATH when it has no '/'. `env` entries "NAME=value" are
// added to the inherited environment. `input` is written to its stdin.
// With `timeout_s` > 0 the program is killed after that many seconds (a hang is
// a failure to report, not a test that never ends).
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          const std::string& input = {}, int timeout_s = 0);

// run_process with build/bin/preflight as argv[0].
ProcessResult run_preflight(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                            int timeout_s = 0);

// Absolute path of a file under fixtures/.
std::string fixture(const std::string& relative);

}  // namespace preflight::test
