#include "move/migration_event.hpp"

namespace preflight {

std::string to_string(MigrationEvent::Phase phase) {
  switch (phase) {
    case MigrationEvent::Phase::rechecking: return "rechecking";
    case MigrationEvent::Phase::precreating: return "precreating";
    case MigrationEvent::Phase::copying: return "copying";
    case MigrationEvent::Phase::suspending: return "suspending";
    case MigrationEvent::Phase::migrating: return "migrating";
    case MigrationEvent::Phase::resuming: return "resuming";
    case MigrationEvent::Phase::verifying: return "verifying";
    case MigrationEvent::Phase::recovering: return "recovering";
    case MigrationEvent::Phase::done: return "done";
  }
  return "done";
}

}  // namespace preflight
