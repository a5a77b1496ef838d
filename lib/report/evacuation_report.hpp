#pragma once
// What `preflight migrate --evacuate` prints: the plan, one line (or JSON object)
// per event of a move, and the report. Formatting only; the job is
// migrate/evacuate_job.hpp.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "move/evacuation_plan.hpp"
#include "move/migrate_options.hpp"
#include "move/migration_event.hpp"
#include "move/move_record.hpp"

namespace preflight {

// The plan: the VMs and their targets, the VMs without one and why on each
// candidate, the moves in start order (shortest estimate first) with each one's
// estimate and libvirt calls, and the --timeout the estimates suggest.
std::string evacuation_plan_text(const Evacuation& e, const MigrateOptions& o, const MoveSteps& steps);
// {"event":"evacuation-plan","host","mode","dry_run","limits":{..},"vms":[..],
//  "move_order":"shortest estimate first","moves":[{"vm","destination","estimate","plan"}],
//  "suggested_timeout_s"}: an estimate is {"total_s","downtime_ms","assumed",
//  "suggested_timeout_s" (null: not expected to converge)} or null (none); a placed
//  VM in "vms" carries it too. suggested_timeout_s of the plan: the largest of the
//  moves'; null when there is no move or one has none.
nlohmann::json evacuation_plan_json(const Evacuation& e, const MigrateOptions& o, const MoveSteps& steps);

// "evacuating hostA: 3 moves, at most 4 at once on hostA" (stderr, before the first).
std::string evacuation_start_text(const Evacuation& e);

// One move's events. Text: "   12.3s  web1 -> hostB: started" (stderr lines).
std::string move_started_text(const MigrationRequest& r, double t_ms);
std::string move_phase_text(const MigrationRequest& r, MigrationEvent::Phase phase, double t_ms);
std::string move_ended_text(const MoveRecord& rec);
// JSON: {"event":"start",..}, progress_json with vm, destination, t_ms; outcome_json
// with "event":"outcome", started_ms and ended_ms.
nlohmann::json move_started_json(const MigrationRequest& r, double t_ms);
nlohmann::json move_progress_json(const MigrationRequest& r, const MigrationEvent& event, double t_ms);
nlohmann::json move_ended_json(const MoveVerdict& v, const MoveRecord& rec);

// After the moves: what became of every VM, and why those not moved stayed.
std::string evacuation_report_text(const Evacuation& e, const std::vector<MoveRecord>& records);
// {"event":"evacuation","host","exit_code","vms":[{"vm","result","destination","message","time_s"}],"counts":{..}}
nlohmann::json evacuation_report_json(const Evacuation& e, const std::vector<MoveRecord>& records, int status);

}  // namespace preflight
