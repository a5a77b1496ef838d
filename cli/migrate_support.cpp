#include "cli/migrate_support.hpp"

#include <pthread.h>

#include <fmt/format.h>

namespace preflight::cli {

Interrupts::Interrupts(std::string notice) : notice_(std::move(notice)) {
  sigemptyset(&set_);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&set_, sig);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  watcher_ = std::thread([this] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      if (sig == SIGUSR1) return;  // the destructor
      if (!interrupted_.exchange(true)) fmt::print(stderr, "\npreflight: interrupted: {}\n", notice_);
    }
  });
}

Interrupts::~Interrupts() {
  pthread_kill(watcher_.native_handle(), SIGUSR1);
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);  // a signal still pending is delivered now
}

}  // namespace preflight::cli
