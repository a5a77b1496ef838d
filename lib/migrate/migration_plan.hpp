#pragma once
// The steps of a move for each mode, decided before anything touches a host.
#include <string>
#include <vector>

#include "migrate/hypervisor.hpp"
#include "move/dry_run.hpp"
#include "move/migration_request.hpp"

namespace preflight {

enum class MigrationStep {
  precreate_volumes,   // copy-storage, offline: an empty copy of each copied disk's volume on the destination
  copy_volumes,        // offline: each precreated volume's content, streamed from the source by preflight
  suspend_source,      // quick: pause the VM where it is
  migrate,             // the hypervisor's migration call
  resume_destination,  // quick: run the moved (paused) VM
};

struct MigrationPlan {
  std::vector<MigrationStep> steps;
  MigrationCall call;
  DomainState source_before = DomainState::running;     // required before moving
  DomainState destination_after = DomainState::running; // verified after moving
};

MigrationPlan plan_migration(const MigrationRequest& request);

// One line per step, the migration step naming the exact hypervisor call (--dry-run).
std::vector<std::string> describe_plan(const MigrationPlan& plan, const MigrationRequest& request,
                                       const Hypervisor& source);

// A move not made: its plan's steps and the libvirt call the source would get.
// `source_uri`: the source's libvirt URI (only described, never contacted).
DryRun describe_dry_run(const MigrationRequest& r, const std::string& source_uri);

}  // namespace preflight
