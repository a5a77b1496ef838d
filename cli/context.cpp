#include <unistd.h>

#include <cstdlib>

#include "cli/command.hpp"
#include "core/error.hpp"

namespace preflight::cli {

const Inventory* Context::inventory() {
  if (!inventory_loaded_) {
    inventory_loaded_ = true;
    std::string path = options.inventory;
    if (const char* env = std::getenv("PREFLIGHT_INVENTORY"); path.empty() && env && *env) path = env;
    if (path.empty()) path = default_inventory_path().value_or("");
    if (!path.empty()) inventory_ = std::make_unique<Inventory>(load_inventory(path));
  }
  return inventory_.get();
}

const Inventory& Context::require_inventory() {
  if (const Inventory* inv = inventory()) return *inv;
  throw Error("no inventory: neither --inventory FILE, $PREFLIGHT_INVENTORY, ./preflight.yaml nor "
              "$XDG_CONFIG_HOME/preflight/inventory.yaml",
              "give one with --inventory (the demo lab's is fixtures/lab/preflight.yaml)");
}

CheckSetup Context::check_setup() {
  return load_check_setup(require_inventory(), {options.rules_dir, options.policy, options.cpu_map});
}

bool Context::color() const {
  if (options.no_color) return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
  return isatty(STDOUT_FILENO) != 0;
}

}  // namespace preflight::cli
