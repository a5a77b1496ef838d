#include "migrate/move_job.hpp"

#include "check/estimate_run.hpp"
#include "core/error.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/move_request.hpp"
#include "migrate/planned_hypervisor.hpp"

namespace preflight {

CheckedMove check_single_move(const Inventory& inv, const CheckSetup& setup, const MigrateOptions& o) {
  parse_migration_mode(o.mode);  // a bad mode is a usage error before any host is read
  CheckedMove m;
  m.check = run_check(inv, setup, o.vm, o.destination, o.from, o.mode);
  // The estimate of this move: its own bandwidth cap and downtime limit.
  m.check.verdict.estimate = estimate_move_for(m.check.vm, m.check.source, m.check.destination,
                                               &m.check.source_facts, &m.check.destination_facts, o);
  m.request = make_request(o, o.vm, *m.check.source, *m.check.destination);
  m.request.estimate = planned_estimate(m.check.verdict.estimate);
  m.verdict = to_move_verdict(m.check.verdict);
  m.may_move = may_move(m.verdict, o.accept_warnings);
  return m;
}

DryRun single_move_dry_run(const CheckedMove& m) {
  return describe_dry_run(m.request, libvirt_uri(*m.check.source, m.request.vm));
}

MigrationOutcome execute_single_move(const CheckedMove& m, const MoveDrivers& drivers, MoveEvents& events,
                                     const Journal* journal) {
  const MigrationRequest& r = m.request;
  if (!m.may_move) {
    // The Migrator's gate refuses (and journals) without touching a host.
    PlannedHypervisor source(m.check.source->libvirt), destination(m.check.destination->libvirt);
    return Migrator(source, destination, journal).run(r, m.verdict, {});
  }
  const auto interrupted = [&] { return drivers.interrupted && drivers.interrupted(); };
  const std::shared_ptr<Hypervisor> source = drivers.connect(*m.check.source);
  const std::shared_ptr<Hypervisor> destination = drivers.connect(*m.check.destination);
  const Recheck recheck = [&] {
    if (interrupted()) throw Error(r.vm + ": interrupted before moving");
    return drivers.recheck ? drivers.recheck() : m.verdict;
  };
  const MigrationProgress progress = [&](const MigrationEvent& event) {
    // Polled while migrating, on the thread that owns the job statistics: abort there.
    if (interrupted() && event.phase == MigrationEvent::Phase::migrating) source->abort_job(r.vm);
    events.progress(event);
  };
  Migrator::Options options;
  options.interrupted = interrupted;
  return Migrator(*source, *destination, journal, options).run(r, m.verdict, recheck, progress);
}

int single_move_exit_status(const CheckedMove& m, const MigrationOutcome* out) {
  if (!m.may_move) {
    const bool undecided = m.verdict.kind == MoveVerdictKind::undecided;  // the check could not decide
    return static_cast<int>(undecided ? ExitCode::undecided : ExitCode::no_go);
  }
  if (!out || out->result == MigrationResult::moved) return static_cast<int>(ExitCode::go);
  return static_cast<int>(ExitCode::no_go);
}

}  // namespace preflight
