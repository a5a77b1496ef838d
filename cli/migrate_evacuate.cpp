// preflight migrate --evacuate HOST: see migrate_evacuate.hpp. Wiring only: the job
// is lib/migrate/evacuate_job.hpp, the text and JSON lib/report/evacuation_report.hpp.
#include "cli/migrate_evacuate.hpp"

#include <iostream>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "migrate/evacuate_job.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/move_request.hpp"
#include "report/evacuation_report.hpp"

namespace preflight::cli {
namespace {

// Events as they come: one JSON object per line on stdout, or one line per phase
// change on stderr.
class PrintedEvents final : public EvacuationEvents {
 public:
  explicit PrintedEvents(const Context& ctx) : ctx_(ctx), json_(ctx.json()) {}

  void started(const MigrationRequest& r, double t_ms) override {
    std::lock_guard lock(mutex_);
    if (json_) ctx_.print_json(move_started_json(r, t_ms), true);
    else ctx_.note(move_started_text(r, t_ms));
  }

  void progress(const MigrationRequest& r, const MigrationEvent& event, double t_ms) override {
    std::lock_guard lock(mutex_);
    if (json_) {
      ctx_.print_json(move_progress_json(r, event, t_ms), true);
      return;
    }
    if (event.phase == MigrationEvent::Phase::done) return;  // the outcome line says it
    auto [it, fresh] = last_phase_.try_emplace(r.vm, event.phase);
    if (!fresh && it->second == event.phase) return;
    it->second = event.phase;
    ctx_.note(move_phase_text(r, event.phase, t_ms));
  }

  void ended(const MigrationRequest&, const MoveVerdict& v, const MoveRecord& rec) override {
    std::lock_guard lock(mutex_);
    if (json_) ctx_.print_json(move_ended_json(v, rec), true);
    else fmt::print(stderr, "{}\n", move_ended_text(rec));  // each move's outcome: not a note, shown with -q too
  }

 private:
  const Context& ctx_;
  bool json_;
  std::mutex mutex_;
  std::map<std::string, MigrationEvent::Phase> last_phase_;
};

void execute(Context& ctx, const MigrateOptions& o, const Evacuation& e) {
  Interrupts interrupts("no further move starts; running moves are aborted, their VMs stay on the source");
  const Inventory& inv = ctx.require_inventory();
  const Journal journal(Journal::default_path());
  const bool json = ctx.options.output == "json";
  if (!json) ctx.note(evacuation_start_text(e));
  EvacuationDrivers drivers;
  drivers.connect = [](const InventoryHost& h) -> std::shared_ptr<Hypervisor> {
    return std::make_shared<LibvirtHypervisor>(libvirt_uri(h, "a VM"));
  };
  drivers.recheck = [&](const VmPlacement& p, const InventoryHost& destination) {
    return to_move_verdict(run_check(inv, ctx.check_setup(), p.vm, destination.name, e.source->name, o.mode).verdict);
  };
  drivers.interrupted = [&interrupts] { return interrupts.interrupted(); };
  PrintedEvents events(ctx);
  const std::vector<MoveRecord> records = execute_evacuation(inv, o, e, drivers, events, &journal);
  const int status = evacuation_exit_status(e.plan, &records);
  if (json) ctx.print_json(evacuation_report_json(e, records, status), true);
  else std::cout << evacuation_report_text(e, records);
  std::cout.flush();
  ctx.exit_code = status;
}

}  // namespace

void run_evacuate(Context& ctx, const MigrateOptions& o) {
  parse_migration_mode(o.mode);  // a bad mode is a usage error before any host is read
  const Inventory& inv = ctx.require_inventory();
  const Evacuation e = plan_host_evacuation(inv, ctx.check_setup(), o);
  const MoveSteps steps = evacuation_move_steps(inv, o, e);
  if (ctx.json()) ctx.print_json(evacuation_plan_json(e, o, steps), true);
  else std::cout << evacuation_plan_text(e, o, steps) << std::flush;
  if (o.dry_run) {
    ctx.exit_code = evacuation_exit_status(e.plan, nullptr);
    return;
  }
  execute(ctx, o, e);
}

}  // namespace preflight::cli
