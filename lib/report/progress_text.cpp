#include "report/progress_text.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace preflight {
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

std::string counter_line(const std::string& label, size_t done, size_t total, const std::string& item) {
  constexpr size_t width = 30;
  const size_t filled = total ? std::min(done, total) * width / total : width;
  std::string bar(filled, '#');
  bar.resize(width, '.');
  return fmt::format("{} [{}] {}/{} {:<24.24}", label, bar, done, total, item);
}

}  // namespace preflight
