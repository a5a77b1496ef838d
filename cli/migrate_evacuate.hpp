#pragma once
// preflight migrate --evacuate HOST [--to H...]: a target for every VM on HOST
// (lib/migrate/evacuation.hpp), then the moves, each through the Migrator with all
// its guarantees, at most N at once per host (lib/migrate/move_queue.hpp).
// Exit 0 every VM in scope moved (or, with --dry-run, has a target); 1 a VM not
// placed, refused or failed (each failed one still runs on HOST); 2 could not
// decide (HOST unreadable, or a VM left unplaced while a candidate was undecided).
#include "cli/command.hpp"
#include "cli/migrate_support.hpp"

namespace preflight::cli {

void run_evacuate(Context& ctx, const MigrateOptions& o);

}  // namespace preflight::cli
