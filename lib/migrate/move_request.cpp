#include "migrate/move_request.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "check/estimate_run.hpp"
#include "core/error.hpp"

namespace preflight {

MoveVerdict to_move_verdict(const Verdict& v) {
  MoveVerdict m;
  const bool undecided = exit_code(v, false) == ExitCode::undecided;
  m.kind = undecided ? MoveVerdictKind::undecided
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

Estimate estimate_move_for(const VmFacts& vm, const InventoryHost* source, const InventoryHost* destination,
                           const HostFacts* source_facts, const HostFacts* destination_facts,
                           const MigrateOptions& o) {
  const auto as_double = [](const std::optional<std::uint64_t>& v) {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
  };
  return summary_estimate(vm, source, destination, source_facts, destination_facts, as_double(o.bandwidth_mib_s),
                          as_double(o.max_downtime_ms));
}

PlannedEstimate planned_estimate(const Estimate& e) {
  return {e.total_s, e.downtime_ms, e.assumed, e.iterations, e.bytes_sent, e.suggested_timeout_s};
}

}  // namespace preflight
