// preflight: entry point. Parses the common options, hands off to a subcommand,
// and is the one place where an Error becomes a message and exit status 2.
#include <csignal>
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
  // A peer that goes away (a killed libvirtd, a closed pipe) is an error to report,
  // not a reason to die silently.
  std::signal(SIGPIPE, SIG_IGN);
  preflight::cli::Context ctx;
  CLI::App app{
      "preflight: can this VM move to that host, and if not, why and what would fix it?\n"
      "Exit status: 0 go (or warn), 1 no-go, 2 could not decide (never a go).",
      "preflight"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("preflight ") + PREFLIGHT_VERSION);
  add_common_options(app, ctx.options);

  preflight::cli::register_collect(app, ctx);
  preflight::cli::register_compare(app, ctx);
  preflight::cli::register_baseline(app, ctx);
  preflight::cli::register_mask(app, ctx);
  preflight::cli::register_rules(app, ctx);
  preflight::cli::register_check(app, ctx);
  preflight::cli::register_migrate(app, ctx);
  preflight::cli::register_estimate(app, ctx);
  preflight::cli::register_matrix(app, ctx);
  // After the subcommands, which would otherwise inherit it.
  app.footer(
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight check web1 hostB                 may web1 move to hostB? (text, -o json, -o junit)\n"
      "  preflight migrate web1 hostB --dry-run --accept-warnings   the plan and the libvirt call\n"
      "  preflight compare hostA hostB              CPU differences both ways, with causes\n"
      "  preflight baseline hostA hostB --format qemu   the CPU every host can run\n"
      "  preflight mask db1 --hosts hostA hostB     the guest CPU that lets db1 run on both\n"
      "  preflight matrix                           which hosts' CPUs can take which hosts' guests\n"
      "  preflight estimate db1 hostB               how long moving db1 takes, and its downtime\n"
      "  preflight check db1 hostB -o dot | dot -Tsvg > db1.svg   a picture of what blocks\n"
      "  preflight collect --all -o facts/          facts of every host, in parallel\n"
      "Run 'preflight COMMAND --help' for a command's options.");

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
