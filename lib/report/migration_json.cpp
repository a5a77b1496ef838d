#include "report/migration_json.hpp"

namespace preflight {
namespace {

nlohmann::json or_null(const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

// The finished job's figures in the estimate's units.
nlohmann::json real_json(const MigrationOutcome& out) {
  if (!out.completed_stats) return nullptr;
  const CompletedJobStats& c = *out.completed_stats;
  return {{"total_s", c.total_ms ? nlohmann::json(static_cast<double>(*c.total_ms) / 1000.0) : nlohmann::json()},
          {"downtime_ms", or_null(c.downtime_ms)},
          {"iterations", or_null(c.iterations)},
          {"memory_bytes", or_null(c.memory_processed_bytes)},
          {"from", out.completed_stats_from}};
}

std::string real_missing(const MigrationOutcome& out) {
  if (out.completed_stats) return "";
  if (!out.completed_stats_missing.empty()) return out.completed_stats_missing;
  return out.result == MigrationResult::moved ? "not read" : "no migration job finished: the move was " + to_string(out.result);
}

}  // namespace

nlohmann::json outcome_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out) {
  auto state = [](const std::optional<DomainState>& s) { return s ? nlohmann::json(to_string(*s)) : nlohmann::json(); };
  return {{"vm", r.vm},
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
            {"total", out.timings.total_ms}}},
          {"stats",
           {{"data_processed", out.last_stats.data_processed},
            {"iteration", out.last_stats.iteration},
            {"elapsed_ms", out.last_stats.elapsed_ms}}},
          {"estimate", r.estimate ? nlohmann::json{{"total_s", r.estimate->total_s},
                                                   {"downtime_ms", r.estimate->downtime_ms},
                                                   {"iterations", r.estimate->iterations},
                                                   {"memory_bytes", r.estimate->memory_bytes},
                                                   {"assumed", r.estimate->assumed}}
                                  : nlohmann::json(nullptr)},
          {"real", real_json(out)},
          {"real_missing", real_missing(out)}};
}

nlohmann::json progress_json(const MigrationEvent& event) {
  const JobStats& s = event.stats;
  return {{"event", "progress"},
          {"phase", to_string(event.phase)},
          {"active", s.active},
          {"elapsed_ms", s.elapsed_ms},
          {"data_total", s.data_total},
          {"data_processed", s.data_processed},
          {"data_remaining", s.data_remaining},
          {"memory_bps", s.memory_bps},
          {"dirty_rate", s.dirty_rate},
          {"iteration", s.iteration},
          {"expected_downtime_ms", s.expected_downtime_ms}};
}

std::string state_text(const std::optional<DomainState>& s) { return s ? to_string(*s) : "unknown (unreachable)"; }

}  // namespace preflight
