#pragma once
// Predicted migration time and downtime (docs/requirements.md R54). Pure arithmetic on
// memory size, dirty rate and link speed; no clock, no I/O.
//
// Live (pre-copy): round 0 sends all memory; each later round sends what the guest
// dirtied during the previous one; when a round would fit in the allowed downtime
// the guest is paused and that remainder is sent (stop-and-copy).
// Quick (suspend, move, resume -- Hyper-V Quick Migration): the state is written to
// shared storage and read back on the destination, so memory crosses the link twice
// (docs/sources.md S3: 512 MB over 1 GbE about 8 s).
#include <cstdint>
#include <string>
#include <vector>

namespace preflight {

struct LinkModel {
  double bits_per_s = 1e9;  // usable migration bandwidth
};

struct PrecopyInput {
  uint64_t memory_bytes = 0;
  double dirty_bytes_per_s = 0;   // the guest's page dirtying rate
  LinkModel link;
  double max_downtime_s = 0.3;    // libvirt/QEMU default downtime limit is 300 ms
  int max_iterations = 30;        // rounds before forcing stop-and-copy
};

// One round of a live move: round 0 sends all memory, each later one what was
// dirtied during the one before; the last round of a pre-copy estimate is the
// stop-and-copy, sent with the guest paused.
struct PrecopyRound {
  double bytes = 0;
  double seconds = 0;
  bool stop_and_copy = false;
};

struct MoveEstimate {
  double total_s = 0;     // from start to the guest running on the destination
  double downtime_s = 0;  // the guest is paused this long
  int iterations = 0;     // pre-copy rounds, the stop-and-copy round excluded
  bool converges = true;  // false: the dirty rate outpaces the link; the remainder never shrinks
  std::vector<PrecopyRound> rounds;  // estimate_precopy: iterations + 1 entries; empty otherwise
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

// Suspend, save to shared storage, restore on the destination: the guest is down the whole time.
MoveEstimate estimate_quick(uint64_t memory_bytes, const LinkModel& link);

// Offline move of a definition: no memory to move.
MoveEstimate estimate_offline();

}  // namespace preflight
