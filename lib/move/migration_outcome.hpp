#pragma once
// How an attempt ended, with the VM's state on both hosts read afterwards.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "move/domain_state.hpp"
#include "move/job_stats.hpp"

namespace preflight {

enum class MigrationResult {
  moved,    // verified: on the destination as planned, gone from the source
  refused,  // nothing was moved: the verdict, the re-check or a precondition said no
  failed,   // the move was attempted and failed; see running_on
};

std::string to_string(MigrationResult result);  // "moved" | "refused" | "failed"

struct MigrationTimings {
  double check_ms = 0;   // verdict gate, preconditions and the re-check
  double move_ms = 0;    // suspend + migrate + resume
  double verify_ms = 0;  // verification, or recovery after a failure
  double total_ms = 0;
};

struct MigrationOutcome {
  MigrationResult result = MigrationResult::refused;
  std::string message;               // why refused, what failed; empty when moved
  std::vector<std::string> reasons;  // the verdict's reasons, on refusal
  // The VM's state on each host once the migrator was done; empty when the
  // host could not be asked (unreachable).
  std::optional<DomainState> source_state;
  std::optional<DomainState> destination_state;
  // "source" or "destination" when exactly one host runs the VM (for offline:
  // holds its shut-off definition); empty when none or both do.
  std::string running_on;
  JobStats last_stats;  // the last statistics seen while migrating
  // The finished job's own figures, read after a migration call that succeeded: the
  // destination's (libvirt hands them over with the domain), else the source's.
  // Empty when neither host kept them; completed_stats_missing says why.
  std::optional<CompletedJobStats> completed_stats;
  std::string completed_stats_from;     // "destination" | "source", when read
  std::string completed_stats_missing;  // why there are none; empty when read
  MigrationTimings timings;
};

}  // namespace preflight
