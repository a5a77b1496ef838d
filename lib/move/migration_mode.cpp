#include "move/migration_mode.hpp"

#include "core/error.hpp"

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

}  // namespace preflight
