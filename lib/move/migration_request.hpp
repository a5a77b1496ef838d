#pragma once
// What the operator asked for: move `vm` from `source` to `destination`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "move/migration_mode.hpp"

namespace preflight {

// The estimate a move was planned with (check/estimate_run.hpp), kept with the
// request so that the journal holds it next to the real figures.
struct PlannedEstimate {
  double total_s = 0;
  double downtime_ms = 0;
  std::vector<std::string> assumed;  // the inputs that were assumed, not known
  int iterations = 0;                // bitmap syncs, as libvirt counts them (MoveEstimate::iterations)
  double memory_bytes = 0;           // memory data sent, all passes (MoveEstimate::bytes_sent)
  // The --timeout the estimate suggests (Estimate::suggested_timeout_s); 0: pre-copy is
  // not expected to converge.
  double suggested_timeout_s = 0;
};

struct MigrationRequest {
  std::string vm;
  std::string source;       // host names, for messages and the journal
  std::string destination;
  // How the source host's hypervisor reaches the destination (peer to peer),
  // e.g. qemu+tcp://10.0.0.2/system. Often the destination's own URI.
  std::string destination_peer_uri;
  MigrationMode mode = MigrationMode::live;
  std::optional<std::uint64_t> bandwidth_mib_s;
  std::optional<std::uint64_t> max_downtime_ms;
  std::chrono::milliseconds timeout{0};  // the move is aborted after this; 0: no limit
  bool accept_warnings = false;          // a warn verdict moves only with this
  std::optional<PlannedEstimate> estimate;  // empty: none was made
};

}  // namespace preflight
