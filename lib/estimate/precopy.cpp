#include "estimate/precopy.hpp"

#include <algorithm>

namespace preflight {

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
