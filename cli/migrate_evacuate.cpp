// preflight migrate --evacuate HOST: see migrate_evacuate.hpp.
#include "cli/migrate_evacuate.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/check_run.hpp"
#include "cli/migration_progress.hpp"
#include "core/error.hpp"
#include "migrate/evacuation.hpp"
#include "migrate/journal.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/migrator.hpp"
#include "migrate/move_queue.hpp"
#include "rules/check.hpp"

namespace preflight::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct HostLimit {
  int limit = 4;
  std::string why;  // "--concurrency", "link 10 Gbit/s", "link speed unknown"
};

// Everything decided before the first move.
struct Evacuation {
  const InventoryHost* source = nullptr;
  EvacuationPlan plan;
  std::map<std::string, HostLimit> limits;  // the source and every target
};

// A numeric param of the first rule built on `check`, else `fallback`: the
// limits are data (rules/*.yaml, --rules), like everything a rule decides.
double rule_param(const RuleCatalog& catalog, const std::string& check, const std::string& key, double fallback) {
  for (const Rule& r : catalog.rules)
    if (r.check == check) return param_number(r.params, key, fallback);
  return fallback;
}

std::string memory_text(std::uint64_t kib) {
  if (kib >= 1024 * 1024) return fmt::format("{:.1f} GiB", kib / (1024.0 * 1024.0));
  return fmt::format("{} MiB", kib / 1024);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

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

Evacuation plan_evacuation(Context& ctx, const MigrateOptions& o, const CheckSetup& setup) {
  const Inventory& inv = ctx.require_inventory();
  Evacuation e;
  e.source = &find_host(inv, o.evacuate);
  libvirt_uri(*e.source, "its VMs");
  const std::vector<const InventoryHost*> targets = target_hosts(inv, *e.source, o.to);

  std::vector<const InventoryHost*> hosts{e.source};
  hosts.insert(hosts.end(), targets.begin(), targets.end());
  CollectedHosts got = collect_hosts(hosts);
  if (!got.facts[0]) throw Error(got.errors[0], "the host to evacuate must be readable");
  const HostFacts source = std::move(*got.facts[0]);

  // The migration-link probes, one per readable target, in parallel.
  std::vector<std::optional<LinkProbeResult>> links(hosts.size());
  {
    std::vector<std::thread> probes;
    for (size_t i = 1; i < hosts.size(); ++i)
      if (got.facts[i]) probes.emplace_back([&, i] { links[i] = probe_migration_link(*got.facts[i]); });
    for (auto& t : probes) t.join();
  }
  std::map<std::string, std::optional<LinkProbeResult>> link_of;
  EvacuationInput input;
  input.source = &source;
  input.mode = parse_migration_mode(o.mode);
  input.accept_warnings = o.accept_warnings;
  const double overhead_mib =
      setup.policy.memory_overhead_mib.value_or(rule_param(setup.catalog, "memory", "overhead_mib", 256));
  input.memory_overhead_kib = static_cast<std::uint64_t>(overhead_mib * 1024);
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
  e.plan = preflight::plan_evacuation(input, check);

  const int per_host = static_cast<int>(rule_param(setup.catalog, "concurrency", "per_host", 4));
  const int per_host_fast = static_cast<int>(rule_param(setup.catalog, "concurrency", "per_host_10gbe", 8));
  for (const InventoryHost* h : hosts) {
    HostLimit l;
    if (o.concurrency) {
      l = {*o.concurrency, "--concurrency"};
    } else {
      l.limit = host_move_limit(h->link_gbit, per_host, per_host_fast);
      l.why = h->link_gbit ? fmt::format("link {:g} Gbit/s", *h->link_gbit) : "link speed unknown";
    }
    e.limits[h->name] = l;
  }
  return e;
}

const InventoryHost& inventory_host(Context& ctx, const std::string& name) { return find_host(ctx.require_inventory(), name); }

// ---- output --------------------------------------------------------------

json candidate_json(const CandidateResult& c) {
  json j = {{"host", c.host},
            {"verdict", c.check.undecided ? "undecided" : to_string(c.check.verdict.kind)},
            {"qualifies", c.qualifies},
            {"reasons", c.check.verdict.reasons}};
  j["free_after_mib"] = c.free_after_kib ? json(*c.free_after_kib / 1024) : json();
  return j;
}

json placement_json(const VmPlacement& p) {
  json j = {{"vm", p.vm},
            {"state", p.state},
            {"memory_mib", p.memory_kib / 1024},
            {"placement", to_string(p.placement)},
            {"undecided", p.undecided()}};
  j["destination"] = p.placement == Placement::placed ? json(p.destination) : json();
  if (p.placement == Placement::placed) {
    j["verdict"] = to_string(p.chosen.verdict.kind);
    j["warnings"] = p.chosen.verdict.reasons;
  } else {
    j["why"] = p.why;
  }
  j["candidates"] = json::array();
  for (const auto& c : p.candidates) j["candidates"].push_back(candidate_json(c));
  return j;
}

// The libvirt call (and quick's extra steps) of each move, in start order.
std::vector<std::pair<size_t, std::vector<std::string>>> move_steps(Context& ctx, const MigrateOptions& o,
                                                                     const Evacuation& e) {
  std::vector<std::pair<size_t, std::vector<std::string>>> out;
  const PlannedHypervisor source(libvirt_uri(*e.source, "its VMs"));
  for (size_t i : e.plan.move_order) {
    const VmPlacement& p = e.plan.vms[i];
    const MigrationRequest r = make_request(o, p.vm, *e.source, inventory_host(ctx, p.destination));
    out.emplace_back(i, describe_plan(plan_migration(r), r, source));
  }
  return out;
}

json plan_json(Context& ctx, const MigrateOptions& o, const Evacuation& e) {
  json j = {{"event", "evacuation-plan"}, {"host", e.plan.source}, {"mode", o.mode}, {"dry_run", o.dry_run}};
  j["limits"] = json::object();
  for (const auto& [host, l] : e.limits) j["limits"][host] = {{"limit", l.limit}, {"why", l.why}};
  j["vms"] = json::array();
  for (const auto& p : e.plan.vms) j["vms"].push_back(placement_json(p));
  j["moves"] = json::array();
  for (const auto& [i, steps] : move_steps(ctx, o, e))
    j["moves"].push_back({{"vm", e.plan.vms[i].vm}, {"destination", e.plan.vms[i].destination}, {"plan", steps}});
  return j;
}

std::string limits_text(const Evacuation& e) {
  std::string out;
  for (const auto& [host, l] : e.limits) out += fmt::format("{}{} {} ({})", out.empty() ? "" : ", ", host, l.limit, l.why);
  return out;
}

size_t count(const EvacuationPlan& plan, Placement p) {
  return static_cast<size_t>(
      std::count_if(plan.vms.begin(), plan.vms.end(), [p](const VmPlacement& v) { return v.placement == p; }));
}

// Unplaced VMs with every candidate's reasons, then skipped VMs.
void print_not_placed(std::ostream& out, const EvacuationPlan& plan) {
  bool header = false;
  for (const auto& p : plan.vms) {
    if (p.placement != Placement::unplaced) continue;
    if (!header) out << "not placed:\n";
    header = true;
    out << fmt::format("  {} ({}, {}): {}\n", p.vm, p.state, memory_text(p.memory_kib), p.why);
    for (const auto& c : p.candidates) {
      const std::string verdict = c.check.undecided ? "could not decide" : to_string(c.check.verdict.kind);
      out << fmt::format("    {}: {}{}\n", c.host, verdict,
                         c.qualifies ? "" : c.check.verdict.reasons.empty() ? "" : ":");
      if (!c.qualifies)
        for (const auto& r : c.check.verdict.reasons) out << "      " << r << "\n";
    }
  }
  header = false;
  for (const auto& p : plan.vms) {
    if (p.placement != Placement::skipped) continue;
    if (!header) out << "skipped (they stay on " << plan.source << "):\n";
    header = true;
    out << fmt::format("  {}: {}\n", p.vm, p.why);
  }
}

void print_plan_text(Context& ctx, const MigrateOptions& o, const Evacuation& e) {
  const EvacuationPlan& plan = e.plan;
  std::ostream& out = std::cout;
  out << fmt::format("preflight migrate --evacuate {}{} ({}): {} VMs, {} placed, {} not placed, {} skipped\n",
                     plan.source, o.dry_run ? " --dry-run" : "", o.mode, plan.vms.size(), count(plan, Placement::placed),
                     count(plan, Placement::unplaced), count(plan, Placement::skipped));
  out << "moves at once per host: " << limits_text(e) << "\n";
  out << fmt::format("{:<16} {:<9} {:>9}  {:<12} {:<8} {}\n", "VM", "STATE", "MEMORY", "TARGET", "VERDICT",
                     "FREE AFTER");
  for (const auto& p : plan.vms) {
    std::string target = "-", verdict = "-", free = "-";
    if (p.placement == Placement::placed) {
      target = p.destination;
      verdict = to_string(p.chosen.verdict.kind);
      for (const auto& c : p.candidates)
        if (c.host == p.destination && c.free_after_kib) free = memory_text(*c.free_after_kib);
    } else {
      target = p.placement == Placement::unplaced ? "(none)" : "(skipped)";
    }
    out << fmt::format("{:<16} {:<9} {:>9}  {:<12} {:<8} {}\n", p.vm, p.state, memory_text(p.memory_kib), target,
                       verdict, free);
  }
  print_not_placed(out, plan);
  const auto steps = move_steps(ctx, o, e);
  if (!steps.empty()) out << "moves, in start order:\n";
  size_t n = 0;
  for (const auto& [i, lines] : steps) {
    const VmPlacement& p = plan.vms[i];
    out << fmt::format("  {}. {} -> {}", ++n, p.vm, p.destination);
    if (!p.chosen.verdict.reasons.empty()) out << " (warnings accepted)";
    out << "\n";
    for (const auto& r : p.chosen.verdict.reasons) out << "       warning: " << r << "\n";
    for (const auto& line : lines) out << "       " << line << "\n";
  }
  if (o.dry_run) out << "dry run: nothing was moved\n";
  out.flush();
}

// ---- execution -----------------------------------------------------------

struct MoveRecord {
  bool started = false;
  MigrationRequest request;
  MigrationOutcome outcome;
  double started_ms = 0, ended_ms = 0;  // since the evacuation began
};

// What became of each VM: "moved" "refused" "failed" "not started" "unplaced" "skipped" ("planned" in a dry run).
std::string result_of(const VmPlacement& p, const MoveRecord* rec) {
  if (p.placement != Placement::placed) return to_string(p.placement);
  if (!rec) return "planned";
  if (!rec->started) return "not started";
  return to_string(rec->outcome.result);
}

int exit_status(const EvacuationPlan& plan, const std::vector<MoveRecord>* records) {
  bool failed = false;
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    if (p.undecided()) return static_cast<int>(ExitCode::undecided);
    if (p.placement == Placement::unplaced) failed = true;
    if (p.placement == Placement::placed && records && result_of(p, &(*records)[i]) != "moved") failed = true;
  }
  return static_cast<int>(failed ? ExitCode::no_go : ExitCode::go);
}

// One line per phase change on stderr (text), or one JSON object per event on stdout.
class EventLog {
 public:
  EventLog(bool json, Clock::time_point start) : json_(json), start_(start) {}

  double now_ms() const { return std::chrono::duration<double, std::milli>(Clock::now() - start_).count(); }

  void started(const MigrationRequest& r, double t_ms) {
    std::lock_guard lock(mutex_);
    if (json_) {
      std::cout << json{{"event", "start"}, {"vm", r.vm}, {"source", r.source}, {"destination", r.destination},
                        {"t_ms", t_ms}}.dump()
                << "\n" << std::flush;
    } else {
      fmt::print(stderr, "{:7.1f}s  {} -> {}: started\n", t_ms / 1000.0, r.vm, r.destination);
    }
  }

  void progress(const MigrationRequest& r, const MigrationEvent& event) {
    std::lock_guard lock(mutex_);
    const double t = now_ms();
    if (json_) {
      json j = progress_json(event);
      j["vm"] = r.vm;
      j["destination"] = r.destination;
      j["t_ms"] = t;
      std::cout << j.dump() << "\n" << std::flush;
      return;
    }
    if (event.phase == MigrationEvent::Phase::done) return;  // the outcome line says it
    auto [it, fresh] = last_phase_.try_emplace(r.vm, event.phase);
    if (!fresh && it->second == event.phase) return;
    it->second = event.phase;
    fmt::print(stderr, "{:7.1f}s  {} -> {}: {}\n", t / 1000.0, r.vm, r.destination, to_string(event.phase));
  }

  void ended(const MigrationRequest& r, const MoveVerdict& v, const MoveRecord& rec) {
    std::lock_guard lock(mutex_);
    if (json_) {
      json j = outcome_json(r, v, rec.outcome);
      j["started_ms"] = rec.started_ms;
      j["ended_ms"] = rec.ended_ms;
      std::cout << j.dump() << "\n" << std::flush;
      return;
    }
    std::string line = fmt::format("{:7.1f}s  {} -> {}: {}", rec.ended_ms / 1000.0, r.vm, r.destination,
                                   upper(to_string(rec.outcome.result)));
    if (rec.outcome.result == MigrationResult::moved)
      line += fmt::format(" in {:.1f} s", rec.outcome.timings.total_ms / 1000.0);
    else if (!rec.outcome.message.empty())
      line += ": " + rec.outcome.message;
    fmt::print(stderr, "{}\n", line);
  }

 private:
  bool json_;
  Clock::time_point start_;
  std::mutex mutex_;
  std::map<std::string, MigrationEvent::Phase> last_phase_;
};

void print_report_text(const Evacuation& e, const std::vector<MoveRecord>& records) {
  const EvacuationPlan& plan = e.plan;
  std::ostream& out = std::cout;
  size_t moved = 0;
  for (size_t i = 0; i < plan.vms.size(); ++i) moved += result_of(plan.vms[i], &records[i]) == "moved";
  out << fmt::format("preflight migrate --evacuate {}: {} of {} VMs moved\n", plan.source, moved, plan.vms.size());
  out << fmt::format("{:<16} {:<12} {:<12} {}\n", "VM", "TARGET", "RESULT", "TIME");
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    const MoveRecord& rec = records[i];
    const std::string result = result_of(p, &rec);
    const std::string time = rec.started ? fmt::format("{:.1f} s", rec.outcome.timings.total_ms / 1000.0) : "-";
    out << fmt::format("{:<16} {:<12} {:<12} {}\n", p.vm, p.placement == Placement::placed ? p.destination : "-",
                       result, time);
  }
  bool header = false;
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    const MoveRecord& rec = records[i];
    if (p.placement != Placement::placed || result_of(p, &rec) == "moved") continue;
    if (!header) out << "not moved:\n";
    header = true;
    if (!rec.started) {
      out << fmt::format("  {}: not started (interrupted); it stays on {}\n", p.vm, plan.source);
      continue;
    }
    out << fmt::format("  {} -> {}: {}\n", p.vm, p.destination, rec.outcome.message);
    for (const auto& r : rec.outcome.reasons) out << "    " << r << "\n";
    out << fmt::format("    {} on {}: {}; on {}: {}\n", p.vm, plan.source, state_text(rec.outcome.source_state),
                       p.destination, state_text(rec.outcome.destination_state));
  }
  out.flush();
}

json report_json(const Evacuation& e, const std::vector<MoveRecord>& records, int status) {
  json j = {{"event", "evacuation"}, {"host", e.plan.source}, {"exit_code", status}};
  j["vms"] = json::array();
  std::map<std::string, int> counts;
  for (size_t i = 0; i < e.plan.vms.size(); ++i) {
    const VmPlacement& p = e.plan.vms[i];
    const MoveRecord& rec = records[i];
    const std::string result = result_of(p, &rec);
    ++counts[result];
    json v = {{"vm", p.vm}, {"result", result}};
    v["destination"] = p.placement == Placement::placed ? json(p.destination) : json();
    v["message"] = rec.started ? rec.outcome.message : p.why;
    v["time_s"] = rec.started ? json(rec.outcome.timings.total_ms / 1000.0) : json();
    j["vms"].push_back(v);
  }
  j["counts"] = counts;
  return j;
}

void execute(Context& ctx, const MigrateOptions& o, const Evacuation& e) {
  Interrupts interrupts("no further move starts; running moves are aborted, their VMs stay on the source");
  const Journal journal(Journal::default_path());
  const bool json_out = ctx.options.output == "json";
  const EvacuationPlan& plan = e.plan;
  const InventoryHost& source = *e.source;

  std::vector<QueuedMove> queue;
  for (size_t i : plan.move_order) queue.push_back({plan.source, plan.vms[i].destination});
  if (!json_out)
    fmt::print(stderr, "evacuating {}: {} move{}, at most {} at once on {}\n", plan.source, queue.size(),
               queue.size() == 1 ? "" : "s", e.limits.at(plan.source).limit, plan.source);

  std::vector<MoveRecord> records(plan.vms.size());
  EventLog log(json_out, Clock::now());
  const auto run_one = [&](size_t k) {
    const size_t vi = plan.move_order[k];
    const VmPlacement& p = plan.vms[vi];
    const InventoryHost& destination = inventory_host(ctx, p.destination);
    MoveRecord& rec = records[vi];
    rec.started = true;
    rec.request = make_request(o, p.vm, source, destination);
    rec.started_ms = log.now_ms();
    log.started(rec.request, rec.started_ms);
    try {
      LibvirtHypervisor src(libvirt_uri(source, p.vm));
      LibvirtHypervisor dst(libvirt_uri(destination, p.vm));
      const Recheck recheck = [&] {
        if (interrupts.interrupted()) throw Error(p.vm + ": interrupted before moving");
        return to_move_verdict(run_check(ctx, p.vm, destination.name, source.name, o.mode).verdict);
      };
      const MigrationProgress progress = [&](const MigrationEvent& event) {
        // Polled while migrating, on the thread that owns the job statistics: abort there.
        if (interrupts.interrupted() && event.phase == MigrationEvent::Phase::migrating) src.abort_job(p.vm);
        log.progress(rec.request, event);
      };
      rec.outcome = Migrator(src, dst, &journal).run(rec.request, p.chosen.verdict, recheck, progress);
    } catch (const std::exception& ex) {
      // A host could not be connected: nothing was moved.
      rec.outcome = MigrationOutcome{};
      rec.outcome.result = MigrationResult::refused;
      rec.outcome.message = fmt::format("{}: not moving to {}: {}", p.vm, destination.name, ex.what());
      try {
        journal.append(rec.request, p.chosen.verdict, rec.outcome);
      } catch (const std::exception& j) {
        rec.outcome.message += std::string("; ") + j.what();
      }
    }
    rec.ended_ms = log.now_ms();
    log.ended(rec.request, p.chosen.verdict, rec);
  };
  run_moves(
      queue, [&](const std::string& host) { return e.limits.at(host).limit; }, run_one,
      [&] { return interrupts.interrupted(); });

  const int status = exit_status(plan, &records);
  if (json_out)
    std::cout << report_json(e, records, status).dump() << "\n";
  else
    print_report_text(e, records);
  std::cout.flush();
  ctx.exit_code = status;
}

}  // namespace

void run_evacuate(Context& ctx, const MigrateOptions& o) {
  parse_migration_mode(o.mode);  // a bad mode is a usage error before any host is read
  const CheckSetup setup = load_check_setup(ctx);
  const Evacuation e = plan_evacuation(ctx, o, setup);
  if (ctx.options.output == "json")
    std::cout << plan_json(ctx, o, e).dump() << "\n" << std::flush;
  else
    print_plan_text(ctx, o, e);
  if (o.dry_run) {
    ctx.exit_code = exit_status(e.plan, nullptr);
    return;
  }
  execute(ctx, o, e);
}

}  // namespace preflight::cli
