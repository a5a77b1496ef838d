#include "estimate/precopy.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"

namespace preflight {

void check_precopy_input(const PrecopyInput& in) {
  const auto in_range = [](double v, double lo, double hi) { return v >= lo && v <= hi; };  // false for NaN
  if (in.memory_bytes == 0 || in.memory_bytes > kMaxMemoryBytes)
    throw Error(fmt::format("cannot estimate: memory of {} bytes is outside 1 byte to {} bytes (1 PiB)", in.memory_bytes,
                            kMaxMemoryBytes),
                "check the VM's <memory>");
  if (!in_range(in.link.bits_per_s, kMinLinkBitsPerS, kMaxLinkBitsPerS))
    throw Error(fmt::format("cannot estimate: a link of {:g} Gbit/s is outside {:g} to {:g} Gbit/s", in.link.bits_per_s / 1e9,
                            kMinLinkBitsPerS / 1e9, kMaxLinkBitsPerS / 1e9),
                "give --link-gbit or the inventory's link_gbit in that range");
  if (!in_range(in.dirty_bytes_per_s, 0, kMaxDirtyBytesPerS))
    throw Error(fmt::format("cannot estimate: a dirty rate of {:g} MiB/s is outside 0 to {:g} MiB/s",
                            in.dirty_bytes_per_s / 1048576.0, kMaxDirtyBytesPerS / 1048576.0),
                "give --dirty-rate in that range");
  if (!in_range(in.max_downtime_s, kMinDowntimeS, kMaxDowntimeS))
    throw Error(fmt::format("cannot estimate: an allowed downtime of {:g} ms is outside {:g} to {:g} ms",
                            in.max_downtime_s * 1000, kMinDowntimeS * 1000, kMaxDowntimeS * 1000),
                "give --max-downtime in that range");
}

MoveEstimate estimate_precopy(const PrecopyInput& in) {
  MoveEstimate e;
  const double rate = in.link.bits_per_s / 8.0;  // bytes per second
  if (rate <= 0) return {0, 0, 0, false, {}};
  const double memory = static_cast<double>(in.memory_bytes);
  double to_send = memory;
  double elapsed = 0;
  while (true) {
    const double round = to_send / rate;
    // Fits in the downtime budget, or we give up iterating: pause and send the rest.
    if (round <= in.max_downtime_s || e.iterations >= in.max_iterations) {
      e.downtime_s = round;
      e.rounds.push_back({to_send, round, true});
      break;
    }
    e.rounds.push_back({to_send, round, false});
    elapsed += round;
    ++e.iterations;
    // What the guest dirtied meanwhile (never more than all of its memory).
    const double dirtied = std::min(memory, in.dirty_bytes_per_s * round);
    if (dirtied >= to_send) e.converges = false;
    to_send = dirtied;
    if (!e.converges) {
      e.downtime_s = to_send / rate;
      e.rounds.push_back({to_send, e.downtime_s, true});
      break;
    }
  }
  e.total_s = elapsed + e.downtime_s;
  return e;
}

MoveEstimate estimate_quick(uint64_t memory_bytes, const LinkModel& link) {
  const double rate = link.bits_per_s / 8.0;
  MoveEstimate e;
  if (rate <= 0) {
    e.converges = false;
    return e;
  }
  e.total_s = 2.0 * static_cast<double>(memory_bytes) / rate;
  e.downtime_s = e.total_s;
  return e;
}

MoveEstimate estimate_offline() { return MoveEstimate{}; }

}  // namespace preflight
