// preflight migrate VM DEST: the check of `preflight check`, then the move through
// the Migrator (lib/migrate/migrator.hpp) on go, or on warn with --accept-warnings.
// Exit 0 moved (or, with --dry-run, would move), 1 refused or failed with the VM
// still on the source, 2 could not decide.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/check_run.hpp"
#include "cli/command.hpp"
#include "cli/migration_progress.hpp"
#include "core/error.hpp"
#include "migrate/journal.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/migrator.hpp"

namespace preflight::cli {
namespace {

struct MigrateOptions {
  std::string vm;
  std::string destination;
  std::string from;
  std::string mode = "live";
  bool dry_run = false;
  double timeout_s = 0;
  std::optional<std::uint64_t> max_downtime_ms;
  std::optional<std::uint64_t> bandwidth_mib_s;
  bool accept_warnings = false;
};

// A host that is only described, never contacted: --dry-run and refusals (the
// Migrator refuses at its gate before it touches a host). Every verb throws.
class PlannedHypervisor final : public Hypervisor {
 public:
  explicit PlannedHypervisor(std::string uri) : uri_(std::move(uri)) {}
  std::string name() const override { return uri_; }
  DomainState state(const std::string& vm) override { fail(vm); }
  void start(const std::string&) override { fail("a domain"); }
  void destroy(const std::string& vm) override { fail(vm); }
  void suspend(const std::string& vm) override { fail(vm); }
  void resume(const std::string& vm) override { fail(vm); }
  void migrate(const std::string& vm, const std::string&, const MigrationCall&) override { fail(vm); }
  std::string describe_migrate(const std::string& vm, const std::string& peer_uri,
                               const MigrationCall& call) const override {
    return describe_libvirt_migrate(uri_, vm, peer_uri, call);
  }
  void abort_job(const std::string& vm) override { fail(vm); }
  JobStats job_stats(const std::string&) override { return {}; }

 private:
  [[noreturn]] void fail(const std::string& vm) const {
    throw Error(fmt::format("{}: not contacted for {} (dry run or refused move)", uri_, vm));
  }
  std::string uri_;
};

// While alive, SIGINT and SIGTERM do not end preflight: they set interrupted(), and
// the caller aborts the move (a peer-to-peer job is driven by the source's libvirtd
// and would go on without us). Construct it before any other thread starts, so
// that they all inherit the blocked signals; a sigwait thread takes them.
class Interrupts {
 public:
  Interrupts() {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&set_, sig);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    watcher_ = std::thread([this] {
      for (;;) {
        int sig = 0;
        if (sigwait(&set_, &sig) != 0) continue;
        if (sig == SIGUSR1) return;  // the destructor
        if (!interrupted_.exchange(true))
          fmt::print(stderr, "\npreflight: interrupted: aborting the move; the VM stays on the source\n");
      }
    });
  }
  ~Interrupts() {
    pthread_kill(watcher_.native_handle(), SIGUSR1);
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);  // a signal still pending is delivered now
  }
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t set_{}, old_{};
  std::atomic<bool> interrupted_{false};
  std::thread watcher_;
};

// The check's verdict as the migrator takes it; a check that could not decide is no-go.
MoveVerdict to_move_verdict(const Verdict& v) {
  MoveVerdict m;
  const bool undecided = exit_code(v, false) == ExitCode::undecided;
  m.kind = undecided ? MoveVerdictKind::no_go
           : v.verdict == VerdictKind::go   ? MoveVerdictKind::go
           : v.verdict == VerdictKind::warn ? MoveVerdictKind::warn
                                            : MoveVerdictKind::no_go;
  for (const Finding& f : v.results)
    if (f.status == Status::block || f.status == Status::error || f.status == Status::warn)
      m.reasons.push_back(fmt::format("{}: {}", f.rule, f.message));
  return m;
}

bool may_move(const MoveVerdict& v, bool accept_warnings) {
  return v.kind == MoveVerdictKind::go || (v.kind == MoveVerdictKind::warn && accept_warnings);
}

// The URI preflight connects to for writing; a host known only from files cannot move VMs.
const std::string& libvirt_uri(const InventoryHost& h, const std::string& vm) {
  if (h.libvirt.empty())
    throw Error(fmt::format("{}: cannot move {}: host '{}' has no libvirt URI in the inventory", h.name, vm, h.name),
                "give it 'libvirt: URI' (facts and CPU files describe a host, they cannot move a VM)");
  return h.libvirt;
}

MigrationRequest make_request(const MigrateOptions& o, const CheckRun& check) {
  MigrationRequest r;
  r.vm = o.vm;
  r.source = check.source->name;
  r.destination = check.destination->name;
  r.destination_peer_uri =
      check.destination->migrate_uri.empty() ? check.destination->libvirt : check.destination->migrate_uri;
  r.mode = parse_migration_mode(o.mode);
  r.bandwidth_mib_s = o.bandwidth_mib_s;
  r.max_downtime_ms = o.max_downtime_ms;
  r.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(o.timeout_s * 1000.0)));
  r.accept_warnings = o.accept_warnings;
  return r;
}

std::string state_text(const std::optional<DomainState>& s) { return s ? to_string(*s) : "unknown (unreachable)"; }

nlohmann::json outcome_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out) {
  auto state = [](const std::optional<DomainState>& s) { return s ? nlohmann::json(to_string(*s)) : nlohmann::json(); };
  return {{"event", "outcome"},
          {"vm", r.vm},
          {"source", r.source},
          {"destination", r.destination},
          {"mode", to_string(r.mode)},
          {"verdict", to_string(v.kind)},
          {"result", to_string(out.result)},
          {"message", out.message},
          {"reasons", out.reasons},
          {"source_state", state(out.source_state)},
          {"destination_state", state(out.destination_state)},
          {"running_on", out.running_on},
          {"timings_ms",
           {{"check", out.timings.check_ms},
            {"move", out.timings.move_ms},
            {"verify", out.timings.verify_ms},
            {"total", out.timings.total_ms}}}};
}

void print_outcome(Context& ctx, const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out) {
  if (ctx.options.output == "json") {
    std::cout << outcome_json(r, v, out).dump() << "\n";
    return;
  }
  std::string result = to_string(out.result);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::cout << fmt::format("preflight migrate: {} from {} to {} ({}): {}", r.vm, r.source, r.destination,
                           to_string(r.mode), result);
  if (out.result == MigrationResult::moved) std::cout << fmt::format(" in {:.1f} s", out.timings.total_ms / 1000.0);
  std::cout << "\n";
  if (!out.message.empty()) std::cout << out.message << "\n";
  if (!out.reasons.empty()) {
    std::cout << "reasons:\n";
    for (const auto& reason : out.reasons) std::cout << "  " << reason << "\n";
  }
  if (out.result != MigrationResult::refused || out.source_state || out.destination_state)
    std::cout << fmt::format("{} on {}: {}; on {}: {}\n", r.vm, r.source, state_text(out.source_state), r.destination,
                             state_text(out.destination_state));
  std::cout.flush();
}

void print_dry_run(Context& ctx, const MigrationRequest& r, const CheckRun& check, const MoveVerdict& v) {
  const MigrationPlan plan = plan_migration(r);
  const PlannedHypervisor source(libvirt_uri(*check.source, r.vm));
  const std::vector<std::string> steps = describe_plan(plan, r, source);
  const std::string call = source.describe_migrate(r.vm, r.destination_peer_uri, plan.call);
  const Estimate& e = check.verdict.estimate;
  if (ctx.options.output == "json") {
    std::cout << nlohmann::json{{"event", "plan"},
                                {"vm", r.vm},
                                {"source", r.source},
                                {"destination", r.destination},
                                {"mode", to_string(r.mode)},
                                {"verdict", to_string(v.kind)},
                                {"reasons", v.reasons},
                                {"plan", steps},
                                {"call", call},
                                {"estimate", {{"total_s", e.total_s}, {"downtime_ms", e.downtime_ms}}}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << fmt::format("preflight migrate --dry-run: {} from {} to {} ({}), verdict {}\n", r.vm, r.source,
                           r.destination, to_string(r.mode), to_string(v.kind));
  if (!v.reasons.empty()) {
    std::cout << "warnings accepted:\n";
    for (const auto& reason : v.reasons) std::cout << "  " << reason << "\n";
  }
  std::cout << "plan:\n";
  for (size_t i = 0; i < steps.size(); ++i) std::cout << fmt::format("  {}. {}\n", i + 1, steps[i]);
  std::cout << "libvirt call: " << call << "\n";
  std::cout << fmt::format("estimate: {:.1f} s in total, {:.0f} ms downtime\n", e.total_s, e.downtime_ms);
  std::cout << "dry run: nothing was moved\n";
  std::cout.flush();
}

void run(Context& ctx, const MigrateOptions& o) {
  parse_migration_mode(o.mode);  // a bad mode is a usage error before any host is read
  const CheckRun check = run_check(ctx, o.vm, o.destination, o.from);
  const MoveVerdict verdict = to_move_verdict(check.verdict);
  const bool undecided = exit_code(check.verdict, false) == ExitCode::undecided;
  const MigrationRequest request = make_request(o, check);
  const int refused_code = static_cast<int>(undecided ? ExitCode::undecided : ExitCode::no_go);

  if (!may_move(verdict, o.accept_warnings)) {
    // The Migrator's gate refuses (and journals, unless a dry run) without touching a host.
    PlannedHypervisor source(check.source->libvirt), destination(check.destination->libvirt);
    std::optional<Journal> journal;
    if (!o.dry_run) journal.emplace(Journal::default_path());
    const MigrationOutcome out =
        Migrator(source, destination, journal ? &*journal : nullptr).run(request, verdict, {});
    print_outcome(ctx, request, verdict, out);
    ctx.exit_code = refused_code;
    return;
  }
  if (o.dry_run) {
    print_dry_run(ctx, request, check, verdict);
    ctx.exit_code = 0;
    return;
  }

  Interrupts interrupts;  // first: the hypervisors' and the Migrator's threads inherit its signal mask
  LibvirtHypervisor source(libvirt_uri(*check.source, o.vm));
  LibvirtHypervisor destination(libvirt_uri(*check.destination, o.vm));
  const Journal journal(Journal::default_path());
  const std::string from = check.source->name;
  const Recheck recheck = [&ctx, &o, &interrupts, from] {
    if (interrupts.interrupted()) throw Error(o.vm + ": interrupted before moving");
    return to_move_verdict(run_check(ctx, o.vm, o.destination, from).verdict);
  };

  const bool json = ctx.options.output == "json";
  std::optional<MigrationProgressBar> bar;
  if (!json) bar.emplace(o.vm);
  std::mutex out_mutex;
  const MigrationProgress progress = [&](const MigrationEvent& event) {
    // Polled while migrating, on the thread that owns the job statistics: abort there.
    if (interrupts.interrupted() && event.phase == MigrationEvent::Phase::migrating) source.abort_job(o.vm);
    if (!json) return bar->update(event);
    std::lock_guard<std::mutex> lock(out_mutex);
    std::cout << progress_json(event).dump() << "\n" << std::flush;
  };
  const MigrationOutcome out = Migrator(source, destination, &journal).run(request, verdict, recheck, progress);
  bar.reset();  // ends the progress line before the outcome
  print_outcome(ctx, request, verdict, out);
  ctx.exit_code = out.result == MigrationResult::moved ? 0 : static_cast<int>(ExitCode::no_go);
}

}  // namespace

void register_migrate(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MigrateOptions>();
  auto* cmd = app.add_subcommand(
      "migrate",
      "check, then move VM to DEST through libvirt on a go verdict: exit 0 moved, 1 refused or failed "
      "(the VM still runs on the source), 2 could not decide");
  cmd->add_option("VM", o->vm, "the VM's name")->required();
  cmd->add_option("DEST", o->destination, "destination host (inventory name)")->required();
  cmd->add_option("--from", o->from, "source host (default: the inventory host the VM is on)");
  cmd->add_option("--mode", o->mode,
                  "live (pre-copy, shared storage), copy-storage (disks copied too), quick (suspend, move, "
                  "resume), offline (a shut-off VM's definition)")
      ->check(CLI::IsMember({"live", "copy-storage", "quick", "offline"}))
      ->capture_default_str();
  cmd->add_flag("--dry-run", o->dry_run, "print the plan and the libvirt call; connect to no host for writing");
  cmd->add_option("--timeout", o->timeout_s, "abort the move after S seconds, leaving the VM on the source (0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-downtime", o->max_downtime_ms, "longest final pause allowed, in milliseconds");
  cmd->add_option("--bandwidth", o->bandwidth_mib_s, "cap of the migration stream, in MiB/s");
  cmd->add_flag("--accept-warnings", o->accept_warnings, "move on a warn verdict too (a no-go never moves)");
  cmd->add_option("-o,--output", ctx.options.output, "text (progress bar on stderr) | json (one JSON object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->footer(
      "The check is the one of 'preflight check'; it runs again right before moving. Any failure\n"
      "aborts the move and leaves the VM running on the source. Every attempt is appended to\n"
      "$XDG_STATE_HOME/preflight/journal.jsonl. A host's 'migrate_uri:' in the inventory is how the\n"
      "source's libvirtd reaches the destination (default: its 'libvirt:' URI). Ctrl-C aborts the\n"
      "move the same way.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml; its test driver cannot move VMs):\n"
      "  preflight migrate web1 hostB --dry-run --accept-warnings   the plan and the libvirt call\n"
      "  preflight migrate db1 hostB --dry-run                      refused: the reasons, exit 1\n"
      "  preflight migrate lb1 hostA --dry-run --mode quick --accept-warnings   suspend, move, resume\n"
      "On real hosts:\n"
      "  preflight migrate vm1 host2 --max-downtime 300 --bandwidth 1000 --timeout 600\n"
      "  preflight migrate vm1 host2 -o json       one JSON progress event per line, then the outcome");
  cmd->callback([&ctx, o] { run(ctx, *o); });
}

}  // namespace preflight::cli
