#pragma once
// One move of an evacuation as it went, and what became of each VM.
#include <string>

#include "move/evacuation_plan.hpp"
#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"

namespace preflight {

// One move of the evacuation as it went.
struct MoveRecord {
  bool started = false;
  MigrationRequest request;
  MigrationOutcome outcome;
  double started_ms = 0, ended_ms = 0;  // since the evacuation began
};

// What became of a VM: "moved" "refused" "failed" "not started" "unplaced"
// "skipped", or "planned" when `rec` is null (a dry run).
std::string evacuation_result(const VmPlacement& p, const MoveRecord* rec);

}  // namespace preflight
