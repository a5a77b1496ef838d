#include "migrate/evacuation.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "core/error.hpp"
#include "facts/vm_state.hpp"

namespace preflight {
namespace {

// {placed, ""} when `vm` is in the scope of `mode`, else how it is reported and why.
// Not vm_is_active(): what a mode can move is narrower than what holds resources
// (a paused, blocked or pmsuspended VM is active, yet no mode moves it here).
std::pair<Placement, std::string> scope(const VmFacts& vm, MigrationMode mode) {
  const bool offline = mode == MigrationMode::offline;
  if (vm.state == vm_state::running) {
    if (!offline) return {Placement::placed, {}};
    return {Placement::skipped, "running: --mode offline moves only shut-off VMs"};
  }
  if (vm.state == vm_state::shutoff) {
    if (offline) return {Placement::placed, {}};
    return {Placement::skipped, fmt::format("shutoff: --mode {} moves running VMs (--mode offline moves shut-off ones)",
                                            to_string(mode))};
  }
  return {Placement::unplaced,
          fmt::format("{}: only running VMs (shut-off ones with --mode offline) are moved; resume or stop it first",
                      vm.state.empty() ? "state unknown" : vm.state)};
}

bool qualifies(const CandidateCheck& c, bool accept_warnings) {
  if (c.undecided) return false;
  return c.verdict.kind == MoveVerdictKind::go || (c.verdict.kind == MoveVerdictKind::warn && accept_warnings);
}

// Go before warn, then more free memory left (known before unknown); false on a tie.
bool better(const CandidateResult& a, const CandidateResult& b) {
  const bool a_go = a.check.verdict.kind == MoveVerdictKind::go, b_go = b.check.verdict.kind == MoveVerdictKind::go;
  if (a_go != b_go) return a_go;
  if (a.free_after_kib.has_value() != b.free_after_kib.has_value()) return a.free_after_kib.has_value();
  return a.free_after_kib && *a.free_after_kib > *b.free_after_kib;
}

void commit(HostFacts& destination, const VmFacts& vm, std::uint64_t need_kib) {
  if (const auto* free = destination.memory.free_kib.get()) {
    const std::uint64_t left = *free > need_kib ? *free - need_kib : 0;
    destination.memory.free_kib = left;
  }
  if (destination.vms.known()) {
    VmFacts arrived = vm;
    arrived.state = vm_state::running;
    destination.vms.value().push_back(std::move(arrived));
  }
}

std::string summary(const std::vector<CandidateResult>& candidates, bool accept_warnings) {
  if (candidates.empty()) return "no candidate host";
  size_t no_go = 0, warn = 0, undecided = 0;
  for (const auto& c : candidates) {
    if (c.check.undecided) ++undecided;
    else if (c.check.verdict.kind == MoveVerdictKind::warn) ++warn;
    else if (c.check.verdict.kind == MoveVerdictKind::no_go) ++no_go;
  }
  std::vector<std::string> parts;
  if (no_go) parts.push_back(fmt::format("no-go on {}", no_go));
  if (warn && !accept_warnings) parts.push_back(fmt::format("warn on {} (--accept-warnings takes those)", warn));
  if (undecided) parts.push_back(fmt::format("could not be decided on {}", undecided));
  std::string out = "no candidate qualifies: ";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

}  // namespace

EvacuationPlan plan_evacuation(const EvacuationInput& input, const CheckCandidate& check) {
  const HostFacts& source = *input.source;
  if (!source.vms.known())
    throw Error(fmt::format("{}: cannot evacuate: its VMs are unknown ({})", source.name, source.vms.reason()),
                "the source's libvirt connection must list its domains");
  EvacuationPlan plan;
  plan.source = source.name;
  plan.targets = input.targets;
  // By name: libvirt lists domains in no stable order.
  std::vector<VmFacts> vms = source.vms.value();
  std::stable_sort(vms.begin(), vms.end(), [](const VmFacts& a, const VmFacts& b) { return a.name < b.name; });
  plan.vms.resize(vms.size());

  std::vector<size_t> order(vms.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return vms[a].memory_kib > vms[b].memory_kib; });

  for (size_t i : order) {
    const VmFacts& vm = vms[i];
    VmPlacement& p = plan.vms[i];
    p.vm = vm.name;
    p.state = vm.state;
    p.memory_kib = vm.memory_kib;
    auto [in_scope, why] = scope(vm, input.mode);
    if (in_scope != Placement::placed) {
      p.placement = in_scope;
      p.why = why;
      continue;
    }
    const bool commits = input.mode != MigrationMode::offline;
    const std::uint64_t need = vm.memory_kib + input.memory_overhead_kib;
    std::optional<size_t> best;
    for (size_t t = 0; t < plan.targets.size(); ++t) {
      const EvacuationTarget& target = plan.targets[t];
      CandidateResult c;
      c.host = target.name;
      if (!target.facts) {
        c.check.undecided = true;
        c.check.verdict = MoveVerdict{MoveVerdictKind::no_go, {target.unusable}};
      } else {
        if (const VmFacts* twin = find_vm(*target.facts, vm.name)) {
          // The Migrator would refuse: one name, one domain per host.
          c.check.verdict = MoveVerdict{MoveVerdictKind::no_go,
                                        {fmt::format("{}: a domain named {} is already there ({})", target.name,
                                                     vm.name, twin->state)}};
        } else {
          try {
            c.check = check(vm, *target.facts);
          } catch (const std::exception& e) {
            c.check.undecided = true;
            c.check.verdict = MoveVerdict{MoveVerdictKind::no_go, {e.what()}};
          }
        }
        if (const auto* free = target.facts->memory.free_kib.get()) {
          const std::uint64_t used = commits ? need : 0;
          c.free_after_kib = *free > used ? *free - used : 0;
        }
      }
      c.qualifies = qualifies(c.check, input.accept_warnings);
      if (c.qualifies && (!best || better(c, p.candidates[*best]))) best = p.candidates.size();
      p.candidates.push_back(std::move(c));
    }
    if (!best) {
      p.placement = Placement::unplaced;
      p.why = summary(p.candidates, input.accept_warnings);
      continue;
    }
    const CandidateResult& chosen = p.candidates[*best];
    p.placement = Placement::placed;
    p.destination = chosen.host;
    p.chosen = chosen.check;
    plan.move_order.push_back(i);
    if (commits)
      for (auto& target : plan.targets)
        if (target.name == chosen.host) commit(*target.facts, vm, need);
  }
  return plan;
}

void order_moves_by_estimate(EvacuationPlan& plan, const EstimateMove& estimate) {
  for (size_t i : plan.move_order) {
    plan.vms[i].estimate.reset();
    plan.vms[i].estimate_missing.clear();
    try {
      plan.vms[i].estimate = estimate(plan.vms[i]);
    } catch (const Error& e) {
      plan.vms[i].estimate_missing = e.what();  // ordered last, journaled without an estimate
    }
  }
  // 0: expected to converge, 1: not expected to, 2: no estimate.
  const auto rank = [&](size_t i) {
    const auto& e = plan.vms[i].estimate;
    return !e ? 2 : e->suggested_timeout_s > 0 ? 0 : 1;
  };
  std::stable_sort(plan.move_order.begin(), plan.move_order.end(), [&](size_t a, size_t b) {
    const int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    return ra < 2 && plan.vms[a].estimate->total_s < plan.vms[b].estimate->total_s;
  });
}

int host_move_limit(std::optional<double> link_gbit, int per_host, int per_host_fast) {
  return link_gbit && *link_gbit >= 10.0 ? per_host_fast : per_host;
}

}  // namespace preflight
