#pragma once
// What the migrator reports while it moves a VM: the phase, and the job's
// statistics while migrating.
#include <string>

#include "move/job_stats.hpp"

namespace preflight {

struct MigrationEvent {
  enum class Phase { rechecking, precreating, copying, suspending, migrating, resuming, verifying, recovering, done };
  Phase phase = Phase::rechecking;
  JobStats stats;  // set while migrating
};

std::string to_string(MigrationEvent::Phase phase);

}  // namespace preflight
