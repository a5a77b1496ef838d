#pragma once
// What `preflight migrate VM DEST` prints: a dry run's plan and a move's outcome,
// as text and as JSON. Formatting only: the plan is described by describe_dry_run
// (migrate/migration_plan.hpp).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "move/dry_run.hpp"
#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"
#include "rules/verdict.hpp"

namespace preflight {

std::string dry_run_text(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e);
// {"event":"plan","vm","source","destination","mode","verdict","reasons","plan","call","estimate":{..}}
nlohmann::json dry_run_json(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e);

std::string outcome_text(const MigrationRequest& r, const MigrationOutcome& out);
// outcome_json (migration_json.hpp) with "event":"outcome".
nlohmann::json outcome_event_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out);

}  // namespace preflight
