#include "cli/migrate_support.hpp"

#include <pthread.h>

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "migrate/libvirt_hypervisor.hpp"

namespace preflight::cli {

std::string PlannedHypervisor::describe_migrate(const std::string& vm, const std::string& peer_uri,
                                                const MigrationCall& call) const {
  return describe_libvirt_migrate(uri_, vm, peer_uri, call);
}

void PlannedHypervisor::fail(const std::string& vm) const {
  throw Error(fmt::format("{}: not contacted for {} (dry run or refused move)", uri_, vm));
}

Interrupts::Interrupts(std::string notice) : notice_(std::move(notice)) {
  sigemptyset(&set_);
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&set_, sig);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  watcher_ = std::thread([this] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      if (sig == SIGUSR1) return;  // the destructor
      if (!interrupted_.exchange(true)) fmt::print(stderr, "\npreflight: interrupted: {}\n", notice_);
    }
  });
}

Interrupts::~Interrupts() {
  pthread_kill(watcher_.native_handle(), SIGUSR1);
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);  // a signal still pending is delivered now
}

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

const std::string& libvirt_uri(const InventoryHost& h, const std::string& vm) {
  if (h.libvirt.empty())
    throw Error(fmt::format("{}: cannot move {}: host '{}' has no libvirt URI in the inventory", h.name, vm, h.name),
                "give it 'libvirt: URI' (facts and CPU files describe a host, they cannot move a VM)");
  return h.libvirt;
}

std::string peer_uri(const InventoryHost& h) { return h.migrate_uri.empty() ? h.libvirt : h.migrate_uri; }

MigrationRequest make_request(const MigrateOptions& o, const std::string& vm, const InventoryHost& source,
                              const InventoryHost& destination) {
  MigrationRequest r;
  r.vm = vm;
  r.source = source.name;
  r.destination = destination.name;
  r.destination_peer_uri = peer_uri(destination);
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

}  // namespace preflight::cli
