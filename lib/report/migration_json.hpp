#pragma once
// The one JSON vocabulary of a move, shared by the journal and `-o json` events.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "move/migration_event.hpp"
#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"

namespace preflight {

// One move's end: {"vm","source","destination","mode","verdict","result","message",
// "reasons","source_state","destination_state","running_on","timings_ms":{"check",
// "move","verify","total"},"stats":{"data_processed","iteration","elapsed_ms"},
// "estimate":{"total_s","downtime_ms","iterations","memory_bytes","assumed"},
// "real":{"total_s","downtime_ms","iterations","memory_bytes","from"},"real_missing"}:
// the estimate the move was planned with (null: none) next to the finished job's own
// figures in the same units ("from": "destination" | "source", the host whose
// libvirt kept them; a figure it did not report is null; "real" is null when no job
// finished or neither host kept its figures, "real_missing" saying why, "" otherwise).
// "stats" are the last job statistics polled while it ran. A state that could not be
// read (host unreachable) is null. The journal adds "time",
// an event adds "event":"outcome".
nlohmann::json outcome_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out);

// {"event":"progress","phase","active","elapsed_ms","data_total","data_processed",
//  "data_remaining","memory_bps","dirty_rate","iteration","expected_downtime_ms"}
nlohmann::json progress_json(const MigrationEvent& event);

// A domain state for people: "unknown (unreachable)" when it could not be read.
std::string state_text(const std::optional<DomainState>& s);

}  // namespace preflight
