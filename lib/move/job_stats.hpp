#pragma once
// A snapshot of a running migration job (virDomainGetJobStats). Fields a
// hypervisor did not report stay 0.
#include <cstdint>

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

}  // namespace preflight
