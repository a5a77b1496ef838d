#pragma once
// What `preflight migrate VM DEST` and `preflight migrate --evacuate HOST` share in
// the program: the options (lib/move/migrate_options.hpp) and Ctrl-C handling.
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "move/migrate_options.hpp"

namespace preflight::cli {

// While alive, SIGINT and SIGTERM do not end preflight: they set interrupted(), and
// the caller aborts the move (a peer-to-peer job is driven by the source's libvirtd
// and would go on without us). Construct it before any other thread starts, so
// that they all inherit the blocked signals; a sigwait thread takes them.
// `notice` is printed on stderr at the first signal.
class Interrupts {
 public:
  explicit Interrupts(std::string notice = "aborting the move; the VM stays on the source");
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t set_{}, old_{};
  std::string notice_;
  std::atomic<bool> interrupted_{false};
  std::thread watcher_;
};

}  // namespace preflight::cli
