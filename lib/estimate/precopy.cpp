#include "estimate/precopy.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace preflight {
namespace {

// QEMU's migration thread: a rate-limited stream sends a 100 ms budget and then
// waits; an unlimited one returns to its checks at least every 50 ms (MAX_WAIT).
constexpr double kCappedSlice = 0.1;
constexpr double kUncappedSlice = 0.05;
// QEMU measures the stream's bandwidth (for the threshold) over windows of at least
// this long (BUFFER_DELAY); until the first one closes the threshold is 0.
constexpr double kBandwidthWindow = 0.1;
// A zero page on the wire: its 8-byte header and one byte of fill, per 4 KiB page.
constexpr double kZeroPageWireShare = 9.0 / 4096.0;
// Auto-converge (QEMU's defaults): throttle when the guest dirtied more than this
// share of what was sent in a period of at least a second, the second time in a row.
constexpr double kThrottleTrigger = 0.5;
constexpr double kThrottleInitial = 0.2;
constexpr double kThrottleIncrement = 0.1;
constexpr double kThrottleMax = 0.99;
// Pre-copy counts as stalled when the pending data after a sync has not fallen
// below its lowest level for this many syncs (and nothing else can change).
constexpr int kStalledSyncs = 8;

}  // namespace

double stream_bytes_per_s(const PrecopyInput& in) {
  double rate = in.link.bits_per_s / 8.0;
  if (in.bandwidth_cap_bytes_per_s && *in.bandwidth_cap_bytes_per_s > 0)
    rate = std::min(rate, *in.bandwidth_cap_bytes_per_s);
  return rate;
}

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
  if (in.bandwidth_cap_bytes_per_s && !in_range(*in.bandwidth_cap_bytes_per_s, kMinLinkBitsPerS / 8, kMaxLinkBitsPerS / 8))
    throw Error(fmt::format("cannot estimate: a bandwidth cap of {:g} MiB/s is outside {:g} to {:g} MiB/s",
                            *in.bandwidth_cap_bytes_per_s / 1048576.0, kMinLinkBitsPerS / 8 / 1048576.0,
                            kMaxLinkBitsPerS / 8 / 1048576.0),
                "give --bandwidth in that range");
  if (!in_range(in.max_downtime_s, kMinDowntimeS, kMaxDowntimeS))
    throw Error(fmt::format("cannot estimate: an allowed downtime of {:g} ms is outside {:g} to {:g} ms",
                            in.max_downtime_s * 1000, kMinDowntimeS * 1000, kMaxDowntimeS * 1000),
                "give --max-downtime in that range");
}

MoveEstimate estimate_precopy(const PrecopyInput& in) {
  MoveEstimate e;
  const double rate = stream_bytes_per_s(in);
  if (rate <= 0) {
    e.converges = false;
    return e;
  }
  const double memory = static_cast<double>(in.memory_bytes);
  const double used = std::min(memory, in.used_bytes ? static_cast<double>(*in.used_bytes) : memory);
  const double zero_rate = std::max(in.costs.zero_page_bytes_per_s, rate);
  const double slice = in.bandwidth_cap_bytes_per_s ? kCappedSlice : kUncappedSlice;

  // The dirty bitmap: data pages and zero pages still to send.
  double data = used, zero = memory - used;
  double dirtied = 0;       // distinct data bytes dirtied since the last sync
  double t = in.costs.setup_s;
  int syncs = 1;            // the one at the start
  double threshold = 0;     // bandwidth x downtime limit, as QEMU measures the bandwidth
  double window_start = t, window_sent = 0;
  double pass_bytes = 0, pass_start = t;
  // Auto-converge's period.
  double period_start = t, period_sent = 0, period_dirtied = 0;
  int high = 0;
  // Stall detection.
  double lowest = memory + 1;
  int not_lower = 0;

  // The stop-and-copy and post-copy are not rate-limited: QEMU lifts the cap once the
  // guest is paused.
  const double final_rate = in.link.bits_per_s / 8.0;
  auto finish = [&](double pending_data, double pending_zero, bool paused) {
    const double send = pending_data / final_rate + pending_zero / std::max(zero_rate, final_rate);
    e.rounds.push_back({pass_bytes, t - pass_start, false});
    e.rounds.push_back({pending_data, send, true});
    e.bytes_sent += pending_data;
    e.downtime_s = (paused ? send : 0) + in.costs.switchover_s;
    e.total_s = t + send + in.costs.switchover_s;
    // Once the guest is paused (or post-copy starts) QEMU syncs the bitmap once more.
    e.iterations = syncs + 1;
  };

  while (true) {
    // One slice of sending, data and zero pages in proportion.
    const double cost = data / rate + zero / zero_rate;
    if (cost <= 0) {
      // Nothing left in the bitmap: QEMU completes whatever the threshold is.
      data += dirtied;
      finish(data, 0, true);
      break;
    }
    // No sync can come before what is left is below bandwidth x limit: cross the way
    // there in one step. QEMU's measured bandwidth is at most the stream's, or what
    // zero pages put on the wire while they pass, whichever is more (under a low cap).
    const double remaining_before = data + zero;
    const double top_bandwidth = std::max(rate, zero_rate * kZeroPageWireShare);
    const double safe = remaining_before - 2.0 * top_bandwidth * (in.max_downtime_s + slice);
    const double step = std::min(cost, safe > 0 ? std::max(slice, safe / (remaining_before / cost)) : slice);
    const double share = step / cost;
    const double sent = data * share;
    const double zero_sent = zero * share;
    data -= sent;
    zero -= zero_sent;
    t += step;
    pass_bytes += sent;
    e.bytes_sent += sent;
    const double dirty_rate = in.dirty_bytes_per_s * (1.0 - e.throttle);
    // Distinct pages: the guest re-dirties what was sent, never more than its data.
    dirtied = std::min(dirtied + dirty_rate * step, std::max(0.0, used - data));
    period_sent += sent;
    period_dirtied += dirty_rate * step;
    // QEMU's bandwidth: bytes on the wire over a window of at least 100 ms (zero
    // pages send almost nothing).
    window_sent += sent + zero_sent * kZeroPageWireShare;
    if (t - window_start >= kBandwidthWindow - 1e-9) {
      threshold = window_sent / (t - window_start) * in.max_downtime_s;
      window_start = t;
      window_sent = 0;
    }

    if (t >= in.give_up_s) {
      e.converges = false;
      finish(data + dirtied, zero, true);
      break;
    }
    // What is left in the bitmap (zero pages included) below the threshold: sync.
    const bool synced = data + zero < threshold;
    if (synced) {
      data += dirtied;
      dirtied = 0;
      ++syncs;
    }
    // Nothing left, or less than the threshold: pause and send the rest. A bitmap that
    // empties before the first bandwidth window closes (an idle guest) completes
    // without a sync; the one at the pause picks up what the guest dirtied.
    if (data + zero <= 0 || data + zero < threshold) {
      finish(data + dirtied, zero, true);
      break;
    }
    if (!synced) continue;
    if (in.postcopy && syncs >= 2) {
      // Post-copy: the guest runs on the destination; the rest is pulled after.
      e.postcopy = true;
      finish(data, zero, false);
      break;
    }
    e.rounds.push_back({pass_bytes, t - pass_start, false});
    pass_bytes = 0;
    pass_start = t;
    if (in.auto_converge && t - period_start >= 1.0) {
      if (period_dirtied > kThrottleTrigger * period_sent && ++high >= 2) {
        e.throttle = e.throttle == 0 ? kThrottleInitial : std::min(kThrottleMax, e.throttle + kThrottleIncrement);
        high = 0;
      }
      period_start = t;
      period_sent = period_dirtied = 0;
    }
    if (data < lowest - 1e-6 * memory) {
      lowest = data;
      not_lower = 0;
    } else if (++not_lower >= kStalledSyncs && (!in.auto_converge || e.throttle >= kThrottleMax)) {
      e.converges = false;
    }
    if (!e.converges || t >= in.give_up_s) {
      e.converges = false;
      pass_start = t;
      finish(data, zero, true);
      break;
    }
  }
  // Passes that sent nothing (a sync right after another) are not worth a row.
  std::erase_if(e.rounds, [](const PrecopyRound& r) { return !r.stop_and_copy && r.seconds <= 0; });
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
