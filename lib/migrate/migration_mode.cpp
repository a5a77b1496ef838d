#include "migrate/migration_mode.hpp"

#include "core/error.hpp"
#include "migrate/move_verdict.hpp"

namespace preflight {

std::string to_string(MigrationMode mode) {
  switch (mode) {
    case MigrationMode::live: return "live";
    case MigrationMode::copy_storage: return "copy-storage";
    case MigrationMode::quick: return "quick";
    case MigrationMode::offline: return "offline";
  }
  return "live";
}

MigrationMode parse_migration_mode(std::string_view text) {
  for (auto mode : {MigrationMode::live, MigrationMode::copy_storage, MigrationMode::quick, MigrationMode::offline})
    if (text == to_string(mode)) return mode;
  throw Error("--mode: unknown migration mode '" + std::string(text) + "'",
              "use live, copy-storage, quick or offline");
}

std::string to_string(MoveVerdictKind kind) {
  switch (kind) {
    case MoveVerdictKind::go: return "go";
    case MoveVerdictKind::warn: return "warn";
    case MoveVerdictKind::no_go: return "no-go";
    case MoveVerdictKind::undecided: return "undecided";
  }
  return "no-go";
}

}  // namespace preflight
