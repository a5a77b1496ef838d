#include "migrate/journal.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace preflight {

std::string to_string(MigrationResult result) {
  switch (result) {
    case MigrationResult::moved: return "moved";
    case MigrationResult::refused: return "refused";
    case MigrationResult::failed: return "failed";
  }
  return "failed";
}

std::filesystem::path Journal::default_path() {
  std::filesystem::path state;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    state = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    state = std::filesystem::path(home) / ".local" / "state";
  } else {
    throw Error("journal: neither XDG_STATE_HOME nor HOME is set", "set XDG_STATE_HOME to a writable folder");
  }
  return state / "preflight" / "journal.jsonl";
}

void Journal::append(const MigrationRequest& request, const MoveVerdict& verdict,
                     const MigrationOutcome& outcome) const {
  auto state = [](const std::optional<DomainState>& s) -> nlohmann::json {
    return s ? nlohmann::json(to_string(*s)) : nlohmann::json("unknown");
  };
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  nlohmann::json line = {
      {"time", fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now)},
      {"vm", request.vm},
      {"source", request.source},
      {"destination", request.destination},
      {"mode", to_string(request.mode)},
      {"verdict", to_string(verdict.kind)},
      {"outcome", to_string(outcome.result)},
      {"message", outcome.message},
      {"source_state", state(outcome.source_state)},
      {"destination_state", state(outcome.destination_state)},
      {"running_on", outcome.running_on},
      {"timings_ms",
       {{"check", outcome.timings.check_ms},
        {"move", outcome.timings.move_ms},
        {"verify", outcome.timings.verify_ms},
        {"total", outcome.timings.total_ms}}},
      {"stats",
       {{"data_processed", outcome.last_stats.data_processed},
        {"iteration", outcome.last_stats.iteration},
        {"elapsed_ms", outcome.last_stats.elapsed_ms}}},
  };
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec) throw Error(fmt::format("{}: cannot create the journal folder: {}", file_.parent_path().string(), ec.message()));
  std::ofstream out(file_, std::ios::app);
  out << line.dump() << '\n';
  out.flush();
  if (!out) throw Error(fmt::format("{}: cannot append to the journal", file_.string()));
}

}  // namespace preflight
