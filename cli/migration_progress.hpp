#pragma once
// How a running move is shown on a terminal: one stderr line redrawn from the job
// statistics (its text: progress_line, lib/report/progress_text.hpp).
#include <mutex>
#include <string>

#include "move/migration_event.hpp"

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

}  // namespace preflight::cli
