#pragma once
// The append-only record of every migration attempt: one JSON object per line,
// outcome_json (migration_json.hpp) with "time" added.
#include <filesystem>
#include <string>

#include "move/migration_outcome.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"

namespace preflight {

class Journal {
 public:
  explicit Journal(std::filesystem::path file) : file_(std::move(file)) {}

  // $XDG_STATE_HOME/preflight/journal.jsonl, $XDG_STATE_HOME defaulting to
  // $HOME/.local/state. Throws Error when neither variable is set.
  static std::filesystem::path default_path();

  // Appends one line, creating the folders; throws Error naming the file.
  void append(const MigrationRequest& request, const MoveVerdict& verdict, const MigrationOutcome& outcome) const;

  const std::filesystem::path& path() const { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace preflight
