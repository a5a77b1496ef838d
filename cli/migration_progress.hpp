#pragma once
// How a running move is shown on a terminal: one stderr line redrawn from the job
// statistics (for -o json: progress_json, lib/migrate/migration_json.hpp).
#include <mutex>
#include <string>

#include "migrate/migrator.hpp"

namespace preflight::cli {

class MigrationProgressBar {
 public:
  explicit MigrationProgressBar(std::string vm);
  ~MigrationProgressBar();  // ends the line when anything was drawn
  // Thread-safe; draws nothing when stderr is not a terminal.
  void update(const MigrationEvent& event);

 private:
  std::string vm_;
  bool enabled_;
  bool drawn_ = false;
  std::mutex mutex_;
};

// One progress line's text, e.g. "web1 migrating [###########.........] 36.1 MiB sent,
// 28.5 MiB of 64.4 MiB left, 20.0 MiB/s, dirty 5091 pages/s, iteration 2, downtime ~1597 ms";
// the bar is the current pass (total - remaining).
std::string progress_line(const std::string& vm, const MigrationEvent& event);

}  // namespace preflight::cli
