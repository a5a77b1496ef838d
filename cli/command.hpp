#pragma once
// What every subcommand file (cli/cmd_*.cpp) shares: the common options and the
// registration hook. A subcommand parses and wires only; the work is in lib/.
// A command reports its outcome by setting ctx.exit_code, or by throwing
// preflight::Error, which main() prints on one line and turns into exit 2.
#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/check_run.hpp"
#include "inventory/inventory.hpp"

namespace preflight::cli {

struct GlobalOptions {
  std::string inventory;  // --inventory; empty = default search
  std::string rules_dir;  // --rules; empty = the rules/ shipped with preflight
  std::string policy;     // --policy; empty = the inventory's policy
  std::string cpu_map;    // --cpu-map; empty = /usr/share/libvirt/cpu_map
  std::string output = "text";  // -o FORMAT: each command's add_output_option sets its default and formats
  bool strict = false;
  bool no_color = false;  // also set by NO_COLOR
  bool quiet = false;     // -q: no progress or notes on stderr (errors and warnings still)
  bool verbose = false;   // -v: also say on stderr what was loaded from where
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
  // Columns text output may use: $COLUMNS when it is a positive number, else the
  // terminal's width when stdout is a terminal, else 80.
  size_t text_width() const;
  // The rules, policy and CPU catalog named by the options (and the inventory).
  CheckSetup check_setup();

  // The hosts of one HOST|FILE argument: an inventory name, a file, or "-" for
  // standard input (read once; the hosts are named "stdin"). Throws Error.
  std::vector<HostFacts> host_argument(const std::string& arg);
  // Standard input, read whole at the first call. Throws Error when it is a terminal.
  const std::string& standard_input();
  // Throws Error when "-" is among `args` more than once (standard input reads once).
  static void stdin_at_most_once(const std::vector<std::string>& args);
  // For the HOST|FILE arguments of one command, before the library loads them
  // (lib/check/cpu_inputs): checks "-" is there at most once, says with -v what each
  // names, and returns standard input when "-" is among them (null when not).
  const std::string* host_arguments(const std::vector<std::string>& args);

  bool json() const { return options.output == "json"; }
  // `doc` on stdout with "schema_version" added (an object; pretty unless one_line,
  // which is one JSON object per line for event streams).
  void print_json(nlohmann::json doc, bool one_line = false) const;
  // A note or progress line on stderr, unless -q.
  void note(const std::string& line) const;
  // What was loaded from where, on stderr with -v.
  void detail(const std::string& line) const;

 private:
  bool inventory_loaded_ = false;
  std::unique_ptr<Inventory> inventory_;
  std::optional<std::string> stdin_;

  void describe_argument(const std::string& arg);  // with -v: what `arg` names
};

// Adds -o/--output FORMAT to `cmd`: one of `formats`, the first being the default.
// Any other value is a usage error (exit 2) that lists the formats. `help` says
// what each is.
// A validator of a number option: a finite decimal in [min, max], read by core's
// strict parser (CLI11 alone would take "nan", "inf" and 1e-300).
CLI::Validator number_in(double min, double max);

CLI::Option* add_output_option(CLI::App* cmd, Context& ctx, const std::vector<std::string>& formats,
                               const std::string& help);

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
void register_drift(CLI::App& app, Context& ctx);
void register_whatif(CLI::App& app, Context& ctx);
// Hidden: `preflight __complete -- WORD...`, for the shell completion scripts.
void register_complete(CLI::App& app, Context& ctx);

}  // namespace preflight::cli
