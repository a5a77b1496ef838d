#pragma once
// Predicted migration time and downtime (docs/requirements.md R54). Pure arithmetic on
// memory, dirty rate and link speed; no clock, no I/O.
//
// Live (pre-copy), as QEMU 7.2 runs it (migration/migration.c, migration/ram.c): at
// the start every page is in the dirty bitmap (the first bitmap sync). QEMU sends the
// bitmap's pages at the stream's rate -- pages that hold no data (never touched, or
// zero) cost only a header and the time to see that they are zero -- and checks after
// each slice of sending (100 ms when the bandwidth is capped, at most 50 ms otherwise)
// whether what is left in the bitmap (zero pages included) is below the threshold
// "bandwidth x downtime limit", the bandwidth being the bytes sent over the last
// window of at least 100 ms (0 until the first window closes). When it is, QEMU syncs
// the bitmap (adding the pages the guest dirtied since the last sync) and checks
// again: still below -- or nothing left at all -- it pauses the guest, syncs once
// more and sends the rest (stop-and-copy, no longer rate-limited: at the link's
// speed); otherwise it keeps sending. Each sync is one of the "iterations" libvirt
// reports (QEMU's dirty-sync-count): the first, one each time the bitmap ran low, and
// the last at the pause -- an idle guest whose pages are sent before the first
// bandwidth window closes counts 2. Auto-converge slows the guest's vCPUs
// (20 %, then +10 % up to 99 %) once the guest dirtied more than half of what was sent
// at two checks, at least a second apart. Post-copy (libvirt's
// --postcopy-after-precopy) runs the guest on the destination after the first pass
// (with a last sync at the switch) and pulls the rest.
// Quick (suspend, move, resume -- Hyper-V Quick Migration): the state is written to
// shared storage and read back on the destination, so memory crosses the link twice
// (docs/sources.md S3: 512 MB over 1 GbE about 8 s).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace preflight {

struct LinkModel {
  double bits_per_s = 1e9;  // usable migration bandwidth
};

// QEMU's costs that do not depend on the link; outputs call them assumed. Measured with
// QEMU 7.2 and libvirt 9.0 on 2 loaded cores (2026-11-30): bench/estimate moved idle
// 256 MiB guests in 0.65-0.72 s under KVM and 0.6 s under TCG (0.7-1.1 s in an
// earlier session), 40-50 ms of it downtime and about 0.1 s the pass over their pages:
// 0.5-0.6 s before the first page. QEMU alone (two QEMUs, no libvirt) passed over the
// zero pages of idle 256 MiB-1 GiB guests at 2.4-3.3 GB/s.
struct QemuCosts {
  double setup_s = 0.55;                  // the job's start until the first page: destination QEMU, connection
  double switchover_s = 0.06;             // device state, the last sync, resuming on the destination
  double zero_page_bytes_per_s = 3.0e9;   // how fast QEMU passes over pages that hold no data
};

struct PrecopyInput {
  uint64_t memory_bytes = 0;
  // Memory that holds data (sent in full); the rest is sent as zero pages. Empty:
  // not known, all of memory counts (the cautious case).
  std::optional<uint64_t> used_bytes;
  double dirty_bytes_per_s = 0;  // the guest's page dirtying rate (distinct pages)
  LinkModel link;
  std::optional<double> bandwidth_cap_bytes_per_s;  // the migration's bandwidth limit; empty: none
  double max_downtime_s = 0.3;                      // libvirt/QEMU default downtime limit is 300 ms
  bool auto_converge = false;
  bool postcopy = false;  // switch to post-copy once the first pass is done
  QemuCosts costs;
  double give_up_s = 3600;  // simulated time after which a pre-copy that has not converged counts as stalled
};

// One pass of a live move between two bitmap syncs (bytes of data sent, wall time),
// or the stop-and-copy / the post-copy phase that ends it.
struct PrecopyRound {
  double bytes = 0;
  double seconds = 0;
  bool stop_and_copy = false;  // the last entry: sent while the guest is paused (or, post-copy, pulled after)
};

struct MoveEstimate {
  double total_s = 0;     // from the job's start to the guest running on the destination
  double downtime_s = 0;  // the guest is paused this long
  // Bitmap syncs, as libvirt's job statistics count them (memory iteration, QEMU's
  // dirty-sync-count): the first one, each one during pre-copy, the one at the pause
  // (or the switch to post-copy). 0 for the estimates that are not pre-copy.
  int iterations = 0;
  // false: pre-copy stalls -- the guest dirties pages as fast as they are sent. Then
  // total_s and downtime_s are those of a stop forced when it stalls (libvirt's
  // --timeout with suspend), and QEMU alone would iterate forever.
  bool converges = true;
  bool postcopy = false;         // the move ended in post-copy
  double throttle = 0;           // auto-converge's last vCPU throttle, 0..0.99
  double bytes_sent = 0;         // data bytes, all passes and the last one
  std::vector<PrecopyRound> rounds;  // estimate_precopy: the passes, then the stop-and-copy; empty otherwise
};

// The ranges an estimate's inputs must be in: outside them the arithmetic gives
// nonsense (a negative time from a 1e-300 link), so they are refused instead.
inline constexpr double kMinLinkBitsPerS = 1e6;            // 1 Mbit/s
inline constexpr double kMaxLinkBitsPerS = 1e13;           // 10,000 Gbit/s
inline constexpr double kMaxDirtyBytesPerS = 1e13;         // faster than any link
inline constexpr double kMinDowntimeS = 0.001;             // 1 ms
inline constexpr double kMaxDowntimeS = 3600;              // an hour
inline constexpr uint64_t kMaxMemoryBytes = 1ULL << 50;    // 1 PiB

// Throws Error naming the first input outside its range (NaN and infinities included).
void check_precopy_input(const PrecopyInput& in);

MoveEstimate estimate_precopy(const PrecopyInput& in);

// The stream's rate: the link, or the bandwidth cap when lower (bytes/s).
double stream_bytes_per_s(const PrecopyInput& in);

// Suspend, save to shared storage, restore on the destination: the guest is down the whole time.
MoveEstimate estimate_quick(uint64_t memory_bytes, const LinkModel& link);

// Offline move of a definition: no memory to move.
MoveEstimate estimate_offline();

}  // namespace preflight
