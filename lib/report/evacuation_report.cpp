#include "report/evacuation_report.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/migration_json.hpp"

namespace preflight {
namespace {

using nlohmann::json;

std::string memory_text(std::uint64_t kib) {
  if (kib >= 1024 * 1024) return fmt::format("{:.1f} GiB", kib / (1024.0 * 1024.0));
  return fmt::format("{} MiB", kib / 1024);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

json candidate_json(const CandidateResult& c) {
  json j = {{"host", c.host},
            {"verdict", c.check.undecided ? "undecided" : to_string(c.check.verdict.kind)},
            {"qualifies", c.qualifies},
            {"reasons", c.check.verdict.reasons}};
  j["free_after_mib"] = c.free_after_kib ? json(*c.free_after_kib / 1024) : json();
  return j;
}

json estimate_json_of(const std::optional<PlannedEstimate>& e) {
  if (!e) return json();
  return {{"total_s", e->total_s},
          {"downtime_ms", e->downtime_ms},
          {"assumed", e->assumed},
          {"suggested_timeout_s", e->suggested_timeout_s > 0 ? json(e->suggested_timeout_s) : json()}};
}

// The --timeout that lets every planned move finish as estimated: the largest of the
// moves' suggestions. Empty when there is no move, or one is not expected to converge.
std::optional<double> plan_timeout(const EvacuationPlan& plan) {
  std::optional<double> out;
  for (size_t i : plan.move_order) {
    const auto& e = plan.vms[i].estimate;
    if (!e || e->suggested_timeout_s <= 0) return std::nullopt;
    out = std::max(out.value_or(0.0), e->suggested_timeout_s);
  }
  return out;
}

// What the moves' estimates assumed, each once, in first-seen order.
std::vector<std::string> plan_assumed(const EvacuationPlan& plan) {
  std::vector<std::string> out;
  for (size_t i : plan.move_order)
    if (const auto& e = plan.vms[i].estimate)
      for (const auto& a : e->assumed)
        if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  return out;
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
    j["estimate"] = estimate_json_of(p.estimate);
  } else {
    j["why"] = p.why;
  }
  j["candidates"] = json::array();
  for (const auto& c : p.candidates) j["candidates"].push_back(candidate_json(c));
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
std::string not_placed_text(const EvacuationPlan& plan) {
  std::string out;
  bool header = false;
  for (const auto& p : plan.vms) {
    if (p.placement != Placement::unplaced) continue;
    if (!header) out += "not placed:\n";
    header = true;
    out += fmt::format("  {} ({}, {}): {}\n", p.vm, p.state, memory_text(p.memory_kib), p.why);
    for (const auto& c : p.candidates) {
      const std::string verdict = c.check.undecided ? "could not decide" : to_string(c.check.verdict.kind);
      out += fmt::format("    {}: {}{}\n", c.host, verdict, c.qualifies ? "" : c.check.verdict.reasons.empty() ? "" : ":");
      if (!c.qualifies)
        for (const auto& r : c.check.verdict.reasons) out += "      " + r + "\n";
    }
  }
  header = false;
  for (const auto& p : plan.vms) {
    if (p.placement != Placement::skipped) continue;
    if (!header) out += "skipped (they stay on " + plan.source + "):\n";
    header = true;
    out += fmt::format("  {}: {}\n", p.vm, p.why);
  }
  return out;
}

}  // namespace

json evacuation_plan_json(const Evacuation& e, const MigrateOptions& o, const MoveSteps& steps) {
  json j = {{"event", "evacuation-plan"}, {"host", e.plan.source}, {"mode", o.mode}, {"dry_run", o.dry_run}};
  j["limits"] = json::object();
  for (const auto& [host, l] : e.limits) j["limits"][host] = {{"limit", l.limit}, {"why", l.why}};
  j["vms"] = json::array();
  for (const auto& p : e.plan.vms) j["vms"].push_back(placement_json(p));
  j["move_order"] = "shortest estimate first";
  j["moves"] = json::array();
  for (const auto& [i, lines] : steps)
    j["moves"].push_back({{"vm", e.plan.vms[i].vm},
                          {"destination", e.plan.vms[i].destination},
                          {"estimate", estimate_json_of(e.plan.vms[i].estimate)},
                          {"estimate_missing", e.plan.vms[i].estimate ? json() : json(e.plan.vms[i].estimate_missing)},
                          {"plan", lines}});
  const std::optional<double> timeout = plan_timeout(e.plan);
  j["suggested_timeout_s"] = timeout ? json(*timeout) : json();
  return j;
}

std::string evacuation_plan_text(const Evacuation& e, const MigrateOptions& o, const MoveSteps& steps) {
  const EvacuationPlan& plan = e.plan;
  std::string out = fmt::format("preflight migrate --evacuate {}{} ({}): {} VMs, {} placed, {} not placed, {} skipped\n",
                                plan.source, o.dry_run ? " --dry-run" : "", o.mode, plan.vms.size(),
                                count(plan, Placement::placed), count(plan, Placement::unplaced),
                                count(plan, Placement::skipped));
  out += "moves at once per host: " + limits_text(e) + "\n";
  out += fmt::format("{:<16} {:<9} {:>9}  {:<12} {:<8} {}\n", "VM", "STATE", "MEMORY", "TARGET", "VERDICT", "FREE AFTER");
  for (const auto& p : plan.vms) {
    std::string target, verdict = "-", free = "-";
    if (p.placement == Placement::placed) {
      target = p.destination;
      verdict = to_string(p.chosen.verdict.kind);
      for (const auto& c : p.candidates)
        if (c.host == p.destination && c.free_after_kib) free = memory_text(*c.free_after_kib);
    } else {
      target = p.placement == Placement::unplaced ? "(none)" : "(skipped)";
    }
    out += fmt::format("{:<16} {:<9} {:>9}  {:<12} {:<8} {}\n", p.vm, p.state, memory_text(p.memory_kib), target,
                       verdict, free);
  }
  out += not_placed_text(plan);
  if (!steps.empty()) out += "moves, in start order (shortest estimate first):\n";
  size_t n = 0;
  for (const auto& [i, lines] : steps) {
    const VmPlacement& p = plan.vms[i];
    out += fmt::format("  {}. {} -> {}", ++n, p.vm, p.destination);
    if (!p.chosen.verdict.reasons.empty()) out += " (warnings accepted)";
    if (const auto& est = p.estimate)
      out += fmt::format(": estimate {:.1f} s, {:.0f} ms downtime{}", est->total_s, est->downtime_ms,
                         est->suggested_timeout_s > 0 ? "" : ", not expected to converge");
    else
      out += ": no estimate (" + p.estimate_missing + ")";
    out += "\n";
    for (const auto& r : p.chosen.verdict.reasons) out += "       warning: " + r + "\n";
    for (const auto& line : lines) out += "       " + line + "\n";
  }
  if (!steps.empty()) {
    if (const std::optional<double> timeout = plan_timeout(plan))
      out += fmt::format("suggested --timeout: {:.0f} s (the longest move's: twice its estimate plus 30 s)\n", *timeout);
    else
      out += "suggested --timeout: none (a move above is not expected to converge -- consider --mode quick for it "
             "-- or has no estimate)\n";
    if (const std::vector<std::string> assumed = plan_assumed(plan); !assumed.empty())
      out += fmt::format("  the estimates assumed: {}\n  (preflight estimate VM DEST measures them)\n",
                         fmt::join(assumed, ", "));
  }
  if (o.dry_run) out += "dry run: nothing was moved\n";
  return out;
}

std::string evacuation_start_text(const Evacuation& e) {
  const size_t n = e.plan.move_order.size();
  return fmt::format("evacuating {}: {} move{}, at most {} at once on {}", e.plan.source, n, n == 1 ? "" : "s",
                     e.limits.at(e.plan.source).limit, e.plan.source);
}

std::string move_started_text(const MigrationRequest& r, double t_ms) {
  return fmt::format("{:7.1f}s  {} -> {}: started", t_ms / 1000.0, r.vm, r.destination);
}

std::string move_phase_text(const MigrationRequest& r, MigrationEvent::Phase phase, double t_ms) {
  return fmt::format("{:7.1f}s  {} -> {}: {}", t_ms / 1000.0, r.vm, r.destination, to_string(phase));
}

std::string move_ended_text(const MoveRecord& rec) {
  const MigrationRequest& r = rec.request;
  std::string line = fmt::format("{:7.1f}s  {} -> {}: {}", rec.ended_ms / 1000.0, r.vm, r.destination,
                                 upper(to_string(rec.outcome.result)));
  if (rec.outcome.result == MigrationResult::moved)
    line += fmt::format(" in {:.1f} s", rec.outcome.timings.total_ms / 1000.0);
  else if (!rec.outcome.message.empty())
    line += ": " + rec.outcome.message;
  return line;
}

json move_started_json(const MigrationRequest& r, double t_ms) {
  return {{"event", "start"}, {"vm", r.vm}, {"source", r.source}, {"destination", r.destination}, {"t_ms", t_ms}};
}

json move_progress_json(const MigrationRequest& r, const MigrationEvent& event, double t_ms) {
  json j = progress_json(event);
  j["vm"] = r.vm;
  j["destination"] = r.destination;
  j["t_ms"] = t_ms;
  return j;
}

json move_ended_json(const MoveVerdict& v, const MoveRecord& rec) {
  json j = outcome_json(rec.request, v, rec.outcome);
  j["event"] = "outcome";
  j["started_ms"] = rec.started_ms;
  j["ended_ms"] = rec.ended_ms;
  return j;
}

std::string evacuation_report_text(const Evacuation& e, const std::vector<MoveRecord>& records) {
  const EvacuationPlan& plan = e.plan;
  size_t moved = 0;
  for (size_t i = 0; i < plan.vms.size(); ++i) moved += evacuation_result(plan.vms[i], &records[i]) == "moved";
  std::string out = fmt::format("preflight migrate --evacuate {}: {} of {} VMs moved\n", plan.source, moved, plan.vms.size());
  out += fmt::format("{:<16} {:<12} {:<12} {}\n", "VM", "TARGET", "RESULT", "TIME");
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    const MoveRecord& rec = records[i];
    const std::string time = rec.started ? fmt::format("{:.1f} s", rec.outcome.timings.total_ms / 1000.0) : "-";
    out += fmt::format("{:<16} {:<12} {:<12} {}\n", p.vm, p.placement == Placement::placed ? p.destination : "-",
                       evacuation_result(p, &rec), time);
  }
  bool header = false;
  for (size_t i = 0; i < plan.vms.size(); ++i) {
    const VmPlacement& p = plan.vms[i];
    const MoveRecord& rec = records[i];
    if (p.placement != Placement::placed || evacuation_result(p, &rec) == "moved") continue;
    if (!header) out += "not moved:\n";
    header = true;
    if (!rec.started) {
      out += fmt::format("  {}: not started (interrupted); it stays on {}\n", p.vm, plan.source);
      continue;
    }
    out += fmt::format("  {} -> {}: {}\n", p.vm, p.destination, rec.outcome.message);
    for (const auto& r : rec.outcome.reasons) out += "    " + r + "\n";
    out += fmt::format("    {} on {}: {}; on {}: {}\n", p.vm, plan.source, state_text(rec.outcome.source_state),
                       p.destination, state_text(rec.outcome.destination_state));
  }
  return out;
}

json evacuation_report_json(const Evacuation& e, const std::vector<MoveRecord>& records, int status) {
  json j = {{"event", "evacuation"}, {"host", e.plan.source}, {"exit_code", status}};
  j["vms"] = json::array();
  std::map<std::string, int> counts;
  for (size_t i = 0; i < e.plan.vms.size(); ++i) {
    const VmPlacement& p = e.plan.vms[i];
    const MoveRecord& rec = records[i];
    const std::string result = evacuation_result(p, &rec);
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

}  // namespace preflight
