#include "report/move_report.hpp"

#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/migration_json.hpp"

namespace preflight {

std::string dry_run_text(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e) {
  std::string out = fmt::format("preflight migrate --dry-run: {} from {} to {} ({}), verdict {}\n", r.vm, r.source,
                                r.destination, to_string(r.mode), to_string(v.kind));
  if (!v.reasons.empty()) {
    out += "warnings accepted:\n";
    for (const auto& reason : v.reasons) out += "  " + reason + "\n";
  }
  out += "plan:\n";
  for (size_t i = 0; i < d.steps.size(); ++i) out += fmt::format("  {}. {}\n", i + 1, d.steps[i]);
  out += "libvirt call: " + d.call + "\n";
  out += fmt::format("estimate: {:.1f} s in total, {:.0f} ms downtime{}\n", e.total_s, e.downtime_ms,
                     e.assumed.empty() ? ""
                                       : fmt::format("\n  assumed: {}\n  (preflight estimate measures them)",
                                                     fmt::join(e.assumed, ", ")));
  if (e.suggested_timeout_s > 0)
    out += fmt::format("suggested --timeout: {:.0f} s (twice the estimate plus 30 s)\n", e.suggested_timeout_s);
  else
    out += "suggested --timeout: none (pre-copy is not expected to converge; consider --mode quick)\n";
  out += "dry run: nothing was moved\n";
  return out;
}

nlohmann::json dry_run_json(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e) {
  return {{"event", "plan"},
          {"vm", r.vm},
          {"source", r.source},
          {"destination", r.destination},
          {"mode", to_string(r.mode)},
          {"verdict", to_string(v.kind)},
          {"reasons", v.reasons},
          {"plan", d.steps},
          {"call", d.call},
          {"estimate",
           {{"total_s", e.total_s},
            {"downtime_ms", e.downtime_ms},
            {"assumed", e.assumed},
            {"suggested_timeout_s", e.suggested_timeout_s}}}};
}

std::string outcome_text(const MigrationRequest& r, const MigrationOutcome& out) {
  std::string result = to_string(out.result);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string s = fmt::format("preflight migrate: {} from {} to {} ({}): {}", r.vm, r.source, r.destination,
                              to_string(r.mode), result);
  if (out.result == MigrationResult::moved) s += fmt::format(" in {:.1f} s", out.timings.total_ms / 1000.0);
  s += "\n";
  if (!out.message.empty()) s += out.message + "\n";
  if (!out.reasons.empty()) {
    s += "reasons:\n";
    for (const auto& reason : out.reasons) s += "  " + reason + "\n";
  }
  if (out.result != MigrationResult::refused || out.source_state || out.destination_state)
    s += fmt::format("{} on {}: {}; on {}: {}\n", r.vm, r.source, state_text(out.source_state), r.destination,
                     state_text(out.destination_state));
  return s;
}

nlohmann::json outcome_event_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out) {
  nlohmann::json j = outcome_json(r, v, out);
  j["event"] = "outcome";
  return j;
}

}  // namespace preflight
