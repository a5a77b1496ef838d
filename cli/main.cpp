// preflight: entry point. Parses the common options, hands off to a subcommand,
// and is the one place where an Error becomes a message and exit status 2.
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/error.hpp"

namespace {

void add_common_options(CLI::App& app, preflight::cli::GlobalOptions& o) {
  app.add_option("--inventory", o.inventory,
                 "inventory file (default ./preflight.yaml, then $XDG_CONFIG_HOME/preflight/inventory.yaml)");
  app.add_option("--rules", o.rules_dir, "folder of rule files (default: the rules/ shipped with preflight)");
  app.add_option("--policy", o.policy, "policy file: waivers, overcommit, what blocks (default: the inventory's)");
  app.add_option("--cpu-map", o.cpu_map, "libvirt cpu_map folder (default /usr/share/libvirt/cpu_map)");
  app.add_flag("--no-color", o.no_color, "plain text output (also when NO_COLOR is set)");
}

}  // namespace

int main(int argc, char** argv) {
  preflight::cli::Context ctx;
  CLI::App app{
      "preflight: can this VM move to that host, and if not, why and what would fix it?\n"
      "Exit status: 0 go (or warn), 1 no-go, 2 could not decide (never a go).",
      "preflight"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("preflight ") + PREFLIGHT_VERSION);
  add_common_options(app, ctx.options);
  app.footer(
      "Examples:\n"
      "  preflight collect                          facts of this machine as YAML\n"
      "  preflight collect --libvirt test:///abs/host.xml\n"
      "  preflight collect --inventory fixtures/lab/preflight.yaml --all -o facts/\n"
      "Run 'preflight COMMAND --help' for a command's options.");

  preflight::cli::register_collect(app, ctx);
  preflight::cli::register_compare(app, ctx);
  preflight::cli::register_baseline(app, ctx);
  preflight::cli::register_mask(app, ctx);
  preflight::cli::register_rules(app, ctx);
  preflight::cli::register_check(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // --help and --version are successes; a usage error could not decide anything.
    return rc == 0 ? 0 : static_cast<int>(preflight::ExitCode::undecided);
  } catch (const preflight::Error& e) {
    std::cerr << "preflight: " << e.what() << "\n";
    return static_cast<int>(preflight::ExitCode::undecided);
  } catch (const std::exception& e) {
    std::cerr << "preflight: internal error: " << e.what() << "\n";
    return static_cast<int>(preflight::ExitCode::undecided);
  }
  return ctx.exit_code;
}
