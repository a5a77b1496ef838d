#include "cli/migration_progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace preflight::cli {
namespace {

std::string bytes(std::uint64_t n) {
  constexpr double kib = 1024.0;
  if (n >= kib * kib * kib) return fmt::format("{:.1f} GiB", n / (kib * kib * kib));
  if (n >= kib * kib) return fmt::format("{:.1f} MiB", n / (kib * kib));
  if (n >= kib) return fmt::format("{:.1f} KiB", n / kib);
  return fmt::format("{} B", n);
}

}  // namespace

std::string progress_line(const std::string& vm, const MigrationEvent& event) {
  const std::string phase = to_string(event.phase);
  const JobStats& s = event.stats;
  if (event.phase != MigrationEvent::Phase::migrating || !s.active) return fmt::format("{} {}", vm, phase);
  // The job exists before QEMU reports any sizes: nothing to draw yet.
  if (s.data_total == 0) return fmt::format("{} {} (starting)", vm, phase);
  constexpr std::uint64_t width = 20;
  // Processed grows past the total as dirtied pages are sent again; remaining is what is left of this pass.
  const std::uint64_t left = std::min(s.data_remaining, s.data_total);
  const std::uint64_t filled = s.data_total ? (s.data_total - left) * width / s.data_total : 0;
  std::string bar(filled, '#');
  bar.resize(width, '.');
  return fmt::format("{} {} [{}] {} sent, {} of {} left, {}/s, dirty {} pages/s, iteration {}, downtime ~{} ms", vm,
                     phase, bar, bytes(s.data_processed), bytes(s.data_remaining), bytes(s.data_total),
                     bytes(s.memory_bps), s.dirty_rate, s.iteration, s.expected_downtime_ms);
}

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
