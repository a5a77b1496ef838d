#pragma once
// The four ways to move a VM (R53).
#include <string>
#include <string_view>

namespace preflight {

enum class MigrationMode {
  live,          // pre-copy while running; storage shared
  copy_storage,  // live, disks copied to the destination too (shared-nothing)
  quick,         // suspend, move the paused VM, resume on the destination
  offline,       // a shut-off VM's definition only
};

std::string to_string(MigrationMode mode);  // "live" | "copy-storage" | "quick" | "offline"
// Throws Error naming the accepted values.
MigrationMode parse_migration_mode(std::string_view text);

}  // namespace preflight
