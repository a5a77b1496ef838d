#include "migrate/evacuate_job.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "check/estimate_run.hpp"
#include "core/error.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/move_queue.hpp"
#include "migrate/move_request.hpp"
#include "migrate/planned_hypervisor.hpp"
#include "rules/check.hpp"

namespace preflight {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<const InventoryHost*> target_hosts(const Inventory& inv, const InventoryHost& source,
                                               const std::vector<std::string>& to) {
  std::vector<const InventoryHost*> targets;
  if (to.empty()) {
    for (const auto& h : inv.hosts)
      if (&h != &source) targets.push_back(&h);
  } else {
    for (const auto& name : to) {
      const InventoryHost* h = &find_host(inv, name);
      if (h == &source)
        throw Error(fmt::format("--to {}: that is the host being evacuated", name), "name other hosts");
      if (std::find(targets.begin(), targets.end(), h) == targets.end()) targets.push_back(h);
    }
  }
  if (targets.empty())
    throw Error(fmt::format("{}: no host to evacuate it to: the inventory has no other host", source.name),
                "add hosts to the inventory");
  return targets;
}

// The migration-link probes, one per readable host but the first, in parallel.
std::vector<std::optional<LinkProbeResult>> probe_links(const CollectedHosts& got) {
  std::vector<std::optional<LinkProbeResult>> links(got.facts.size());
  std::vector<std::thread> probes;
  for (size_t i = 1; i < got.facts.size(); ++i)
    if (got.facts[i]) probes.emplace_back([&, i] { links[i] = probe_migration_link(*got.facts[i]); });
  for (auto& t : probes) t.join();
  return links;
}

std::map<std::string, HostLimit> move_limits(const std::vector<const InventoryHost*>& hosts,
                                             const RuleCatalog& catalog, const std::optional<int>& concurrency) {
  // Whole numbers from 1 to 1000 (a rule file may say anything; no cast of 1e300 or NaN).
  const auto limit_param = [&](const char* key, double fallback) {
    const double v = rule_param(catalog, "concurrency", key, fallback);
    if (!(v >= 1 && v <= 1000) || v != static_cast<double>(static_cast<int>(v)))
      throw Error(fmt::format("rule on check 'concurrency': {} must be a whole number from 1 to 1000, not {}", key, v),
                  "fix the rule file (rules/migrate.yaml)");
    return static_cast<int>(v);
  };
  const int per_host = limit_param("per_host", 4);
  const int per_host_fast = limit_param("per_host_10gbe", 8);
  std::map<std::string, HostLimit> limits;
  for (const InventoryHost* h : hosts) {
    HostLimit l;
    if (concurrency) {
      l = {*concurrency, "--concurrency"};
    } else {
      l.limit = host_move_limit(h->link_gbit, per_host, per_host_fast);
      l.why = h->link_gbit ? fmt::format("link {:g} Gbit/s", *h->link_gbit) : "link speed unknown";
    }
    limits[h->name] = l;
  }
  return limits;
}

}  // namespace

Evacuation plan_host_evacuation(const Inventory& inv, const CheckSetup& setup, const MigrateOptions& o) {
  Evacuation e;
  e.source = &find_host(inv, o.evacuate);
  libvirt_uri(*e.source, "its VMs");
  const std::vector<const InventoryHost*> targets = target_hosts(inv, *e.source, o.to);

  std::vector<const InventoryHost*> hosts{e.source};
  hosts.insert(hosts.end(), targets.begin(), targets.end());
  CollectedHosts got = collect_hosts(hosts);
  if (!got.facts[0]) throw Error(got.errors[0], "the host to evacuate must be readable");
  const HostFacts source = std::move(*got.facts[0]);
  const std::vector<std::optional<LinkProbeResult>> links = probe_links(got);

  std::map<std::string, std::optional<LinkProbeResult>> link_of;
  EvacuationInput input;
  input.source = &source;
  input.mode = parse_migration_mode(o.mode);
  input.accept_warnings = o.accept_warnings;
  input.memory_overhead_kib = static_cast<std::uint64_t>(memory_overhead_mib(setup.policy, setup.catalog) * 1024);
  for (size_t i = 1; i < hosts.size(); ++i) {
    EvacuationTarget t;
    t.name = hosts[i]->name;
    if (hosts[i]->libvirt.empty()) {
      t.unusable = fmt::format("{}: no libvirt URI in the inventory (facts and CPU files describe a host, "
                               "they cannot receive a VM)", t.name);
    } else if (!got.facts[i]) {
      t.unusable = got.errors[i];
    } else {
      t.facts = std::move(*got.facts[i]);
      link_of[t.name] = links[i];
    }
    input.targets.push_back(std::move(t));
  }
  const CheckCandidate check = [&](const VmFacts& vm, const HostFacts& destination) {
    const Verdict v = check_move(setup, source, destination, vm, link_of[destination.name], o.mode);
    // A blocking finding rules the host out whatever the unknown facts would say.
    const bool blocked = std::any_of(v.results.begin(), v.results.end(),
                                     [](const Finding& f) { return f.status == Status::block; });
    return CandidateCheck{to_move_verdict(v), !blocked && exit_code(v, false) == ExitCode::undecided};
  };
  e.plan = plan_evacuation(input, check);
  // Each move's estimate, as `preflight migrate` makes it for a single move: its
  // order and its suggested --timeout.
  order_moves_by_estimate(e.plan, [&](const VmPlacement& p) {
    const VmFacts* vm = find_vm(source, p.vm);
    if (!vm) throw Error(fmt::format("'{}' is no longer in {}'s facts", p.vm, source.name));
    const HostFacts* destination = nullptr;
    for (const EvacuationTarget& t : e.plan.targets)
      if (t.name == p.destination && t.facts) destination = &*t.facts;
    return planned_estimate(
        estimate_move_for(*vm, e.source, &find_host(inv, p.destination), &source, destination, o));
  });
  e.limits = move_limits(hosts, setup.catalog, o.concurrency);
  return e;
}

MoveSteps evacuation_move_steps(const Inventory& inv, const MigrateOptions& o, const Evacuation& e) {
  MoveSteps out;
  const PlannedHypervisor source(libvirt_uri(*e.source, "its VMs"));
  for (size_t i : e.plan.move_order) {
    const VmPlacement& p = e.plan.vms[i];
    const MigrationRequest r = make_request(o, p.vm, *e.source, find_host(inv, p.destination));
    out.emplace_back(i, describe_plan(plan_migration(r), r, source));
  }
  return out;
}

std::vector<MoveRecord> execute_evacuation(const Inventory& inv, const MigrateOptions& o, const Evacuation& e,
                                           const EvacuationDrivers& drivers, EvacuationEvents& events,
                                           const Journal* journal) {
  const EvacuationPlan& plan = e.plan;
  const InventoryHost& source = *e.source;
  const auto interrupted = [&] { return drivers.interrupted && drivers.interrupted(); };
  const Clock::time_point start = Clock::now();
  const auto now_ms = [start] { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); };

  std::vector<QueuedMove> queue;
  for (size_t i : plan.move_order) queue.push_back({plan.source, plan.vms[i].destination});
  std::vector<MoveRecord> records(plan.vms.size());
  const auto run_one = [&](size_t k) {
    const size_t vi = plan.move_order[k];
    const VmPlacement& p = plan.vms[vi];
    const InventoryHost& destination = find_host(inv, p.destination);
    MoveRecord& rec = records[vi];
    rec.started = true;
    rec.request = make_request(o, p.vm, source, destination);
    rec.request.estimate = p.estimate;  // the plan's: journaled next to the real figures
    rec.started_ms = now_ms();
    events.started(rec.request, rec.started_ms);
    try {
      const std::shared_ptr<Hypervisor> src = drivers.connect(source);
      const std::shared_ptr<Hypervisor> dst = drivers.connect(destination);
      const Recheck recheck = [&] {
        if (interrupted()) throw Error(p.vm + ": interrupted before moving");
        return drivers.recheck(p, destination);
      };
      const MigrationProgress progress = [&](const MigrationEvent& event) {
        // Polled while migrating, on the thread that owns the job statistics: abort there.
        if (interrupted() && event.phase == MigrationEvent::Phase::migrating) src->abort_job(p.vm);
        events.progress(rec.request, event, now_ms());
      };
      Migrator::Options options;
      options.interrupted = interrupted;
      rec.outcome = Migrator(*src, *dst, journal, options).run(rec.request, p.chosen.verdict, recheck, progress);
    } catch (const std::exception& ex) {
      // A host could not be connected: nothing was moved.
      rec.outcome = MigrationOutcome{};
      rec.outcome.result = MigrationResult::refused;
      rec.outcome.message = fmt::format("{}: not moving to {}: {}", p.vm, destination.name, ex.what());
      try {
        if (journal) journal->append(rec.request, p.chosen.verdict, rec.outcome);
      } catch (const std::exception& j) {
        rec.outcome.message += std::string("; ") + j.what();
      }
    }
    rec.ended_ms = now_ms();
    events.ended(rec.request, p.chosen.verdict, rec);
  };
  run_moves(queue, [&](const std::string& host) { return e.limits.at(host).limit; }, run_one, interrupted);
  return records;
}

int evacuation_exit_status(const EvacuationPlan& plan, const std::vector<MoveRecord>* records) {
  bool failed = false;
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    if (p.undecided()) return static_cast<int>(ExitCode::undecided);
    if (p.placement == Placement::unplaced) failed = true;
    if (p.placement == Placement::placed && records && evacuation_result(p, &(*records)[i]) != "moved") failed = true;
  }
  return static_cast<int>(failed ? ExitCode::no_go : ExitCode::go);
}

}  // namespace preflight
