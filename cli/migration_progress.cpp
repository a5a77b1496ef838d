#include "cli/migration_progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "report/progress_text.hpp"

namespace preflight::cli {

MigrationProgressBar::MigrationProgressBar(std::string vm)
    : vm_(std::move(vm)), enabled_(isatty(STDERR_FILENO) != 0) {}

MigrationProgressBar::~MigrationProgressBar() {
  if (drawn_) std::fputs("\n", stderr);
}

void MigrationProgressBar::update(const MigrationEvent& event) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  // \33[K clears what a longer previous line left behind.
  fmt::print(stderr, "\r{}\33[K", progress_line(vm_, event));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace preflight::cli
