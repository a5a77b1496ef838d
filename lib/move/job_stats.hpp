#pragma once
// A snapshot of a running migration job (virDomainGetJobStats). Fields a
// hypervisor did not report stay 0.
#include <cstdint>
#include <optional>

namespace preflight {

struct JobStats {
  bool active = false;                // false: no job (not started yet, or over)
  std::uint64_t elapsed_ms = 0;
  std::uint64_t data_total = 0;       // bytes
  std::uint64_t data_processed = 0;   // bytes
  std::uint64_t data_remaining = 0;   // bytes
  std::uint64_t memory_bps = 0;       // transfer rate, bytes/s
  std::uint64_t dirty_rate = 0;       // pages/s the guest dirties
  std::uint64_t iteration = 0;        // pre-copy pass, 1 = the first full copy
  std::uint64_t expected_downtime_ms = 0;
};

// A finished migration job as the hypervisor kept it (libvirt: virDomainGetJobStats
// with VIR_DOMAIN_JOB_STATS_COMPLETED). A figure it did not report is empty, never 0.
struct CompletedJobStats {
  std::optional<std::uint64_t> total_ms;                // the job's time, start to end
  std::optional<std::uint64_t> downtime_ms;             // the guest was paused this long
  std::optional<std::uint64_t> memory_processed_bytes;  // guest memory sent
  std::optional<std::uint64_t> iterations;              // memory iterations (dirty-bitmap syncs)
  bool operator==(const CompletedJobStats&) const = default;
};

}  // namespace preflight
