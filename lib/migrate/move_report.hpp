#pragma once
// What `preflight migrate VM DEST` prints: a dry run's plan and a move's outcome,
// as text and as JSON. Formatting (and describing the libvirt call) only. Beside
// the Migrator rather than in lib/report, which is a pure layer below migrate.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migrate/migration_outcome.hpp"
#include "migrate/migration_request.hpp"
#include "migrate/move_verdict.hpp"
#include "rules/verdict.hpp"

namespace preflight {

// A move not made: the steps of its plan and the libvirt call the source would get.
struct DryRun {
  std::vector<std::string> steps;
  std::string call;
};
// `source_uri`: the source's libvirt URI (only described, never contacted).
DryRun describe_dry_run(const MigrationRequest& r, const std::string& source_uri);

std::string dry_run_text(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e);
// {"event":"plan","vm","source","destination","mode","verdict","reasons","plan","call","estimate":{..}}
nlohmann::json dry_run_json(const MigrationRequest& r, const MoveVerdict& v, const DryRun& d, const Estimate& e);

std::string outcome_text(const MigrationRequest& r, const MigrationOutcome& out);
// outcome_json (migration_json.hpp) with "event":"outcome".
nlohmann::json outcome_event_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out);

}  // namespace preflight
