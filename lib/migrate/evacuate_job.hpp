#pragma once
// `preflight migrate --evacuate HOST` as a library job: read the host and its
// candidates, give every VM a target (evacuation.hpp), then run the moves, each
// through the Migrator with all its guarantees, at most N at once per host
// (move_queue.hpp). Progress goes to an EvacuationEvents sink the caller passes;
// hosts are reached through a connect function, so tests drive it with fakes.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/check_run.hpp"
#include "inventory/inventory.hpp"
#include "migrate/evacuation.hpp"
#include "migrate/hypervisor.hpp"
#include "migrate/journal.hpp"
#include "migrate/migrator.hpp"
#include "move/migrate_options.hpp"
#include "move/move_record.hpp"

namespace preflight {

// Reads o.evacuate and its candidates (o.to, else every other inventory host) in
// parallel, probes their migration links and places every VM with the rules of
// `setup`. Throws Error when the source cannot be read or no candidate is named.
Evacuation plan_host_evacuation(const Inventory& inv, const CheckSetup& setup, const MigrateOptions& o);

// The libvirt call (and quick's extra steps) of each planned move, in start order.
MoveSteps evacuation_move_steps(const Inventory& inv, const MigrateOptions& o, const Evacuation& e);

// What the job reports while it runs; called from the moves' threads (one call at
// a time per move, several moves at once: implementations lock).
class EvacuationEvents {
 public:
  virtual ~EvacuationEvents() = default;
  virtual void started(const MigrationRequest& r, double t_ms) = 0;
  virtual void progress(const MigrationRequest& r, const MigrationEvent& event, double t_ms) = 0;
  virtual void ended(const MigrationRequest& r, const MoveVerdict& v, const MoveRecord& rec) = 0;
};

// How the job reaches hosts and re-checks a move right before it starts (throwing
// there counts as no-go). `interrupted` (may be empty) is asked before each start
// and while moving: once true, no further move starts and running ones abort.
struct EvacuationDrivers {
  std::function<std::shared_ptr<Hypervisor>(const InventoryHost&)> connect;
  std::function<MoveVerdict(const VmPlacement&, const InventoryHost& destination)> recheck;
  std::function<bool()> interrupted;
};

// Runs the planned moves; one record per plan.vms entry (unstarted ones stay
// default). Each attempt is journaled when `journal` is not null.
std::vector<MoveRecord> execute_evacuation(const Inventory& inv, const MigrateOptions& o, const Evacuation& e,
                                           const EvacuationDrivers& drivers, EvacuationEvents& events,
                                           const Journal* journal);

// 0 every VM in scope moved (a dry run: has a target), 1 one was not placed or
// not moved, 2 a VM was left unplaced while a candidate could not be decided.
int evacuation_exit_status(const EvacuationPlan& plan, const std::vector<MoveRecord>* records);

}  // namespace preflight
