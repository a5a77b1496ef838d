#pragma once
// What a caller asks of a move or an evacuation (`preflight migrate`, both forms).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace preflight {

struct MigrateOptions {
  std::string vm;  // one VM: VM DEST
  std::string destination;
  std::string from;
  std::string evacuate;            // every VM of this host instead
  std::vector<std::string> to;     // evacuation: the candidate hosts; empty = every other inventory host
  std::optional<int> concurrency;  // evacuation: moves at once per host; empty = the concurrency rule's
  std::string mode = "live";       // live|copy-storage|quick|offline
  bool dry_run = false;
  double timeout_s = 0;  // per move; 0 = none
  std::optional<std::uint64_t> max_downtime_ms;
  std::optional<std::uint64_t> bandwidth_mib_s;
  bool accept_warnings = false;
};

}  // namespace preflight
