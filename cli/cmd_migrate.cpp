// preflight migrate VM DEST: the check of `preflight check`, then the move through
// the Migrator on go, or on warn with --accept-warnings. Wiring only: the job is
// lib/migrate/move_job.hpp, the text and JSON lib/report/move_report.hpp.
// Exit 0 moved (or, with --dry-run, would move), 1 refused or failed with the VM
// still on the source, 2 could not decide. --evacuate HOST: migrate_evacuate.hpp.
#include <iostream>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/migrate_evacuate.hpp"
#include "cli/migrate_support.hpp"
#include "cli/migration_progress.hpp"
#include "core/error.hpp"
#include "migrate/journal.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/move_job.hpp"
#include "migrate/move_request.hpp"
#include "report/migration_json.hpp"
#include "report/move_report.hpp"

namespace preflight::cli {
namespace {

// Progress as it comes: one JSON object per line on stdout, or a line redrawn on
// stderr (a terminal only, not with -q).
class PrintedProgress final : public MoveEvents {
 public:
  PrintedProgress(const Context& ctx, const std::string& vm) : ctx_(ctx), json_(ctx.json()) {
    if (!json_ && !ctx.options.quiet) bar_.emplace(vm);
  }
  void progress(const MigrationEvent& event) override {
    if (!json_) {
      if (bar_) bar_->update(event);
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ctx_.print_json(progress_json(event), true);
  }
  void end() { bar_.reset(); }  // ends the progress line before the outcome

 private:
  const Context& ctx_;
  bool json_;
  std::optional<MigrationProgressBar> bar_;
  std::mutex mutex_;
};

void print_outcome(Context& ctx, const CheckedMove& m, const MigrationOutcome& out) {
  if (ctx.json()) ctx.print_json(outcome_event_json(m.request, m.verdict, out), true);
  else std::cout << outcome_text(m.request, out);
  std::cout.flush();
}

void print_dry_run(Context& ctx, const CheckedMove& m) {
  const DryRun d = single_move_dry_run(m);
  const Estimate& estimate = m.check.verdict.estimate;
  if (ctx.json()) ctx.print_json(dry_run_json(m.request, m.verdict, d, estimate), true);
  else std::cout << dry_run_text(m.request, m.verdict, d, estimate);
  std::cout.flush();
}

void run(Context& ctx, const MigrateOptions& o) {
  const Inventory& inv = ctx.require_inventory();
  const CheckedMove m = check_single_move(inv, ctx.check_setup(), o);
  if (o.dry_run && m.may_move) {
    print_dry_run(ctx, m);
    ctx.exit_code = single_move_exit_status(m, nullptr);
    return;
  }
  // Ctrl-C is taken over only for a move that goes ahead, and first: the
  // hypervisors' and the Migrator's threads inherit its signal mask.
  std::optional<Interrupts> interrupts;
  if (m.may_move) interrupts.emplace();
  std::optional<Journal> journal;  // a dry run (refused here) is not journaled
  if (!o.dry_run) journal.emplace(Journal::default_path());
  MoveDrivers drivers;
  drivers.connect = [&o](const InventoryHost& h) -> std::shared_ptr<Hypervisor> {
    return std::make_shared<LibvirtHypervisor>(libvirt_uri(h, o.vm));
  };
  drivers.recheck = [&] {
    return to_move_verdict(run_check(inv, ctx.check_setup(), o.vm, o.destination, m.check.source->name, o.mode).verdict);
  };
  drivers.interrupted = [&interrupts] { return interrupts && interrupts->interrupted(); };
  PrintedProgress events(ctx, o.vm);
  const MigrationOutcome out = execute_single_move(m, drivers, events, journal ? &*journal : nullptr);
  events.end();
  print_outcome(ctx, m, out);
  ctx.exit_code = single_move_exit_status(m, &out);
}

}  // namespace

void register_migrate(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MigrateOptions>();
  auto* cmd = app.add_subcommand(
      "migrate",
      "check, then move VMs between hosts through libvirt");
  cmd->add_option("VM", o->vm, "the VM's name (not with --evacuate)");
  cmd->add_option("DEST", o->destination, "destination host (inventory name)");
  cmd->add_option("--from", o->from, "source host (default: the inventory host the VM is on)");
  cmd->add_option("--evacuate", o->evacuate,
                  "move every VM off HOST instead: a target for each (go verdicts with room), several at once")
      ->type_name("HOST");
  cmd->add_option("--to", o->to, "with --evacuate: the hosts that may take its VMs (default: every other host)")
      ->type_name("HOST");
  cmd->add_option("--concurrency", o->concurrency,
                  "with --evacuate: moves at once per host (default: migrate.concurrency's 4, 8 where the "
                  "inventory gives link_gbit >= 10)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--mode", o->mode,
                  "live (pre-copy, shared storage), copy-storage (disks copied too), quick (suspend, move, "
                  "resume), offline (a shut-off VM's definition)")
      ->check(CLI::IsMember({"live", "copy-storage", "quick", "offline"}))
      ->capture_default_str();
  cmd->add_flag("--dry-run", o->dry_run, "print the plan and the libvirt call; connect to no host for writing");
  cmd->add_option("--timeout", o->timeout_s, "abort the move after S seconds, leaving the VM on the source (0: none)")
      ->check(number_in(0, 7 * 86400.0));
  cmd->add_option("--max-downtime", o->max_downtime_ms, "longest final pause allowed, in milliseconds")
      ->check(number_in(1, 3600 * 1000.0));
  cmd->add_option("--bandwidth", o->bandwidth_mib_s, "cap of the migration stream, in MiB/s")
      ->check(number_in(1, 1024.0 * 1024));
  cmd->add_flag("--accept-warnings", o->accept_warnings, "move on a warn verdict too (a no-go never moves)");
  add_output_option(cmd, ctx, {"text", "json"},
                    "text has a progress bar on stderr (not with -q), json is one JSON object per line");
  cmd->footer(
      "Exit status: 0 moved (with --dry-run: would move), 1 refused (no-go, or warn without\n"
      "--accept-warnings) or failed with the VM still on the source, 2 undecided: the check could not decide\n"
      "or the input is bad (a VM left unplaced by --evacuate while a check could not decide: 2 too).\n"
      "The check is the one of 'preflight check'; it runs again right before moving. Any failure\n"
      "aborts the move and leaves the VM running on the source. Every attempt is appended to\n"
      "$XDG_STATE_HOME/preflight/journal.jsonl, with the move's estimate next to the finished job's\n"
      "real figures (total time, downtime, iterations, memory sent). A host's 'migrate_uri:' in the\n"
      "inventory is how the source's libvirtd reaches the destination (default: its 'libvirt:' URI).\n"
      "Ctrl-C aborts the move the same way.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml; its test driver cannot move VMs):\n"
      "  preflight migrate web1 hostB --dry-run --accept-warnings   the plan and the libvirt call\n"
      "  preflight migrate db1 hostB --dry-run                      refused: the reasons, exit 1\n"
      "  preflight migrate lb1 hostA --dry-run --mode quick --accept-warnings   suspend, move, resume\n"
      "On real hosts:\n"
      "  preflight migrate vm1 host2 --max-downtime 300 --bandwidth 1000 --timeout 600\n"
      "  preflight migrate vm1 host2 -o json       one JSON progress event per line, then the outcome\n"
      "Evacuating a host: every running VM (shut-off ones with --mode offline) gets the target with a\n"
      "go verdict and the most free memory left; each move is a move as above, several run at once.\n"
      "Moves start shortest estimate first (the estimate of a single move, shown in the plan with the\n"
      "--timeout it suggests), so that most VMs are off the host early: a host being evacuated may be\n"
      "failing, and a fault shows on a short move before long ones hold the slots. Moves not expected\n"
      "to converge start last, then moves without an estimate (the plan says why).\n"
      "  preflight migrate --evacuate hostA --dry-run      the targets, the VMs without one and why\n"
      "  preflight migrate --evacuate host1 --to host2 host3 --concurrency 2   at most 2 moves per host");
  cmd->callback([&ctx, o] {
    const bool single = !o->vm.empty() || !o->destination.empty();
    if (!o->evacuate.empty()) {
      if (single)
        throw Error(fmt::format("migrate --evacuate {} takes no VM or DEST (got '{}')", o->evacuate,
                                o->vm.empty() ? o->destination : o->vm),
                    "move one VM with 'preflight migrate VM DEST', or every VM of a host with --evacuate HOST");
      if (!o->from.empty()) throw Error("migrate --evacuate: --from does not apply", "the host evacuated is the source");
      return run_evacuate(ctx, *o);
    }
    if (o->vm.empty() || o->destination.empty())
      throw Error("migrate: give VM DEST, or --evacuate HOST",
                  "e.g. 'preflight migrate web1 hostB' or 'preflight migrate --evacuate hostA'");
    if (!o->to.empty() || o->concurrency)
      throw Error("migrate: --to and --concurrency apply to --evacuate only", "to move one VM: preflight migrate VM DEST");
    run(ctx, *o);
  });
}

}  // namespace preflight::cli
