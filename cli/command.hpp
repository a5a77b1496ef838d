#pragma once
// What every subcommand file (cli/cmd_*.cpp) shares: the common options and the
// registration hook. A subcommand parses and wires only; the work is in lib/.
// A command reports its outcome by setting ctx.exit_code, or by throwing
// preflight::Error, which main() prints on one line and turns into exit 2.
#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <string>

#include "check/check_run.hpp"
#include "inventory/inventory.hpp"

namespace preflight::cli {

struct GlobalOptions {
  std::string inventory;  // --inventory; empty = default search
  std::string rules_dir;  // --rules; empty = the rules/ shipped with preflight
  std::string policy;     // --policy; empty = the inventory's policy
  std::string cpu_map;    // --cpu-map; empty = /usr/share/libvirt/cpu_map
  std::string output = "text";  // -o text|json|junit (commands say which they accept)
  bool strict = false;
  bool no_color = false;  // also set by NO_COLOR
};

struct Context {
  GlobalOptions options;
  int exit_code = 0;
  // The inventory named by --inventory, else the default one; nullptr when there is
  // none. Throws Error when a named inventory cannot be read.
  const Inventory* inventory();
  // Same, but throws Error telling how to give one when there is none.
  const Inventory& require_inventory();
  // Whether to colour output on stdout.
  bool color() const;
  // The rules, policy and CPU catalog named by the options (and the inventory).
  CheckSetup check_setup();

 private:
  bool inventory_loaded_ = false;
  std::unique_ptr<Inventory> inventory_;
};

// One per subcommand, defined in cli/cmd_NAME.cpp, called from main.cpp.
void register_collect(CLI::App& app, Context& ctx);
void register_compare(CLI::App& app, Context& ctx);
void register_baseline(CLI::App& app, Context& ctx);
void register_mask(CLI::App& app, Context& ctx);
void register_rules(CLI::App& app, Context& ctx);
void register_check(CLI::App& app, Context& ctx);
void register_migrate(CLI::App& app, Context& ctx);
void register_estimate(CLI::App& app, Context& ctx);
void register_matrix(CLI::App& app, Context& ctx);

}  // namespace preflight::cli
