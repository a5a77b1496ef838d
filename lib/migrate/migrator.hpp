#pragma once
// Executes one approved move safely (R52): it moves only on go (warn with
// accept_warnings), re-checks right before moving, and on any failure aborts the
// job, reads both hosts and leaves the VM running on the source, resuming it if
// it was left paused -- never making a second running copy -- and deletes the
// volumes it precreated on the destination (copy-storage, offline) unless the VM is
// there. An offline move copies the disks that are not shared itself (storage
// streams) before moving the definition; the source's disk files are never deleted.
// A move is verified: the VM runs (offline: is defined) on the destination only,
// with the guest CPU it had on the source before the move. Every attempt,
// refusals included, is appended to the journal when one is given.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "facts/cpu_definition.hpp"
#include "facts/vm_facts.hpp"
#include "migrate/hypervisor.hpp"
#include "migrate/journal.hpp"
#include "migrate/migration_plan.hpp"
#include "move/migration_event.hpp"
#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"

namespace preflight {

// Called from the migrator's thread and, while migrating, from its monitor thread
// (never both at once for one event). Exceptions it throws are ignored.
using MigrationProgress = std::function<void(const MigrationEvent&)>;
// The check run again right before moving; throwing counts as no-go.
using Recheck = std::function<MoveVerdict()>;

class Migrator {
 public:
  struct Options {
    std::chrono::milliseconds poll_interval{200};  // job statistics period
    // Asked between the chunks of an offline move's disk copy: true stops
    // the copy (Ctrl-C); the move fails, the precreated volumes are deleted and the
    // VM stays defined on the source. Empty: never.
    std::function<bool()> interrupted;
  };

  // The hypervisors must outlive the migrator; journal may be null.
  Migrator(Hypervisor& source, Hypervisor& destination, const Journal* journal, Options options);
  Migrator(Hypervisor& source, Hypervisor& destination, const Journal* journal = nullptr)
      : Migrator(source, destination, journal, Options{}) {}

  // Never throws for a refused or failed move: the outcome says what happened,
  // including when the journal could not be written (message).
  MigrationOutcome run(const MigrationRequest& request, const MoveVerdict& verdict, const Recheck& recheck,
                       const MigrationProgress& progress = {});

 private:
  // What one run() learned before moving and changed on the way.
  struct Attempt {
    std::optional<CpuDefinition> planned_cpu;  // the source's guest CPU before the move; none: no <cpu>
    std::vector<StorageVolume> to_precreate;   // copy-storage, offline: the copied disks' volumes on the source
    std::vector<StorageVolume> precreated;     // created on the destination so far
  };

  // Why a move is refused before anything changes; nullopt: it may go on.
  using Refusal = std::optional<std::string>;
  Refusal gate(const MigrationRequest& request, const MoveVerdict& verdict) const;
  Refusal preconditions(const MigrationRequest& request, const MigrationPlan& plan, Attempt& attempt);
  Refusal storage_preconditions(const MigrationRequest& request, const VmFacts& vm, Attempt& attempt);
  void execute(const MigrationRequest& request, const MigrationPlan& plan, const MigrationProgress& progress,
               Attempt& attempt, MigrationOutcome& outcome);
  void copy_volume(const MigrationRequest& request, const StorageVolume& volume,
                   std::chrono::steady_clock::time_point started);
  void migrate_step(const MigrationRequest& request, const MigrationPlan& plan, const MigrationProgress& progress,
                    MigrationOutcome& outcome);
  void read_completed_stats(const MigrationRequest& request, const MigrationPlan& plan, MigrationOutcome& outcome);
  void verify(const MigrationRequest& request, const MigrationPlan& plan, const Attempt& attempt,
              MigrationOutcome& outcome);
  void recover(const MigrationRequest& request, const MigrationPlan& plan, const Attempt& attempt,
               MigrationOutcome& outcome);
  void read_states(const std::string& vm, MigrationOutcome& outcome);

  Hypervisor& source_;
  Hypervisor& destination_;
  const Journal* journal_;
  Options options_;
};

}  // namespace preflight
