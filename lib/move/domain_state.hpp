#pragma once
// A domain's state as the migrator needs it: the facts vocabulary
// (facts/vm_state.hpp) folded to what decides a move, plus "absent".
#include <string>
#include <string_view>

namespace preflight {

enum class DomainState {
  absent,   // no such domain on this host
  running,
  paused,
  shutoff,  // defined, not running
  other,    // blocked, shutting down, crashed, pmsuspended, unknown
};

// The state a person reads, in the facts vocabulary: "absent", "running", "paused",
// "shutoff", "other". Also the JSON value of a move's outcome (migration_json.hpp).
std::string to_string(DomainState state);

// The DomainState of a facts state name (vm_state::running...); names the migrator
// does not tell apart are `other`.
DomainState domain_state(std::string_view facts_state);

}  // namespace preflight
