#pragma once
// `preflight migrate VM DEST` as a library job: the check of `preflight check` with
// the mode of the move, then the move through the Migrator on go (warn with
// accept_warnings); anything else is refused at the Migrator's gate without
// touching a host. Progress goes to a MoveEvents sink the caller passes; hosts are
// reached through a connect function, so tests drive it with fakes. The
// evacuation of a host is evacuate_job.hpp.
#include <functional>
#include <memory>

#include "check/check_run.hpp"
#include "inventory/inventory.hpp"
#include "migrate/hypervisor.hpp"
#include "migrate/journal.hpp"
#include "migrate/migrator.hpp"
#include "move/dry_run.hpp"
#include "move/migrate_options.hpp"
#include "move/migration_event.hpp"
#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"

namespace preflight {

// A move as checked: what the Migrator is asked and the verdict it takes.
struct CheckedMove {
  CheckRun check;  // source and destination are set
  MigrationRequest request;
  MoveVerdict verdict;
  bool may_move = false;  // go, or warn with accept_warnings: the move goes ahead
};

// Checks moving o.vm to o.destination (from o.from, else the host it is on) with
// o.mode. Throws Error for a bad mode, an unknown host or VM, or an unreadable
// destination (run_check).
CheckedMove check_single_move(const Inventory& inv, const CheckSetup& setup, const MigrateOptions& o);

// The plan and libvirt call of a move not made (--dry-run); contacts no host.
// Throws Error when the source has no libvirt URI.
DryRun single_move_dry_run(const CheckedMove& m);

// What the move reports while it runs; called from the Migrator's thread and,
// while migrating, from its monitor thread (never both at once).
class MoveEvents {
 public:
  virtual ~MoveEvents() = default;
  virtual void progress(const MigrationEvent& event) = 0;
};

// How the job reaches the hosts (connect; throwing there is an Error for the
// caller: nothing was moved or journaled) and re-checks the move right before it
// starts (recheck; throwing counts as no-go; empty: the verdict stands).
// `interrupted` (may be empty) is asked right before moving and while migrating:
// once true, the move does not start, or its job is aborted and the VM stays on
// the source.
struct MoveDrivers {
  std::function<std::shared_ptr<Hypervisor>(const InventoryHost&)> connect;
  Recheck recheck;
  std::function<bool()> interrupted;
};

// Makes the move of `m`, or refuses it when !m.may_move (through the Migrator's
// gate: no host is connected, drivers are not called, no event is reported). The
// attempt is journaled when `journal` is not null. Throws only what connect throws.
MigrationOutcome execute_single_move(const CheckedMove& m, const MoveDrivers& drivers, MoveEvents& events,
                                     const Journal* journal);

// 0 moved (`out` null: a dry run that would move), 1 refused or failed, 2 refused
// because the check could not decide.
int single_move_exit_status(const CheckedMove& m, const MigrationOutcome* out);

}  // namespace preflight
