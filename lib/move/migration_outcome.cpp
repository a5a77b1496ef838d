#include "move/migration_outcome.hpp"

namespace preflight {

std::string to_string(MigrationResult result) {
  switch (result) {
    case MigrationResult::moved: return "moved";
    case MigrationResult::refused: return "refused";
    case MigrationResult::failed: return "failed";
  }
  return "failed";
}

}  // namespace preflight
