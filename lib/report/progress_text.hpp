#pragma once
// The text of the one-line progress bars the program redraws on a terminal
// (for -o json: progress_json, report/migration_json.hpp).
#include <cstddef>
#include <string>

#include "move/migration_event.hpp"

namespace preflight {

// One running move, e.g. "web1 migrating [###########.........] 36.1 MiB sent,
// 28.5 MiB of 64.4 MiB left, 20.0 MiB/s, dirty 5091 pages/s, iteration 2, downtime ~1597 ms";
// the bar is the current pass (total - remaining).
std::string progress_line(const std::string& vm, const MigrationEvent& event);

// A count of items, e.g. "collecting [###############...............] 4/8 hostD" (the
// item padded or cut to 24 characters).
std::string counter_line(const std::string& label, size_t done, size_t total, const std::string& item);

}  // namespace preflight
