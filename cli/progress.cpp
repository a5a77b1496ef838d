#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "report/progress_text.hpp"

namespace preflight::cli {

ProgressBar::ProgressBar(std::string label, size_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) != 0) {
  if (enabled_) draw("");
}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\n", stderr);
}

void ProgressBar::advance(const std::string& item) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (enabled_) draw(item);
}

void ProgressBar::draw(const std::string& item) {
  fmt::print(stderr, "\r{}", counter_line(label_, done_, total_, item));
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace preflight::cli
