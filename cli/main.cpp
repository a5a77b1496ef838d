// preflight: entry point. Parses the common options, hands off to a subcommand,
// and is the one place where an Error becomes a message and exit status 2.
#include <csignal>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/schema_version.hpp"
#include "core/text.hpp"

namespace {

void add_common_options(CLI::App& app, preflight::cli::GlobalOptions& o) {
  app.add_option("--inventory", o.inventory,
                 "inventory file (default $PREFLIGHT_INVENTORY, then ./preflight.yaml, then "
                 "$XDG_CONFIG_HOME/preflight/inventory.yaml)");
  app.add_option("--rules", o.rules_dir, "folder of rule files (default: the rules/ shipped with preflight)");
  app.add_option("--policy", o.policy, "policy file: waivers, overcommit, what blocks (default: the inventory's)");
  app.add_option("--cpu-map", o.cpu_map, "libvirt cpu_map folder (default /usr/share/libvirt/cpu_map)");
  app.add_flag("--no-color", o.no_color, "plain text output (also when NO_COLOR is set)");
  auto* quiet = app.add_flag("-q,--quiet", o.quiet, "no progress or notes on stderr (errors and warnings still)");
  app.add_flag("-v,--verbose", o.verbose, "also say on stderr what was loaded from where (inventory, rules, hosts)")
      ->excludes(quiet);
}

// Whether the command line asks for JSON (-o json, -ojson, --output json,
// --output=json): then a usage error is a JSON object on stdout too, even when the
// parser stopped before the option was read.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-o" || a == "--output") && i + 1 < argc && std::string(argv[i + 1]) == "json") return true;
    if (a == "-ojson" || a == "--output=json") return true;
  }
  return false;
}

// An error: its message on stderr, and under -o json also
// {"error":{"exit":2,"message":...},"schema_version":1} on stdout, on one line (it
// may end a stream of JSON lines, as migrate's). Returns exit 2.
int fail(const std::string& message, bool json, bool already_on_stderr = false) {
  if (!already_on_stderr) std::cerr << "preflight: " << message << "\n";
  constexpr int code = static_cast<int>(preflight::ExitCode::undecided);
  if (json)
    std::cout << preflight::with_schema_version({{"error", {{"message", message}, {"exit", code}}}}).dump() << "\n";
  return code;
}

// The common options that take a value, to find the first word that is not one.
bool takes_value(const std::string& arg) {
  return arg == "--inventory" || arg == "--rules" || arg == "--policy" || arg == "--cpu-map";
}

// The words of argv that are neither options nor their values (the subcommand,
// its subcommand, its arguments); stops at the first "--" option before any word
// that is not one of the program's own (`unknown` gets it).
std::vector<std::string> words(int argc, char** argv, const std::vector<std::string>& global_flags,
                               std::string& unknown) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (takes_value(a)) {
      ++i;
    } else if (!a.empty() && a[0] == '-') {
      const std::string name = a.substr(0, a.find('='));
      if (out.empty() && a.rfind("--", 0) == 0 && !takes_value(name) &&
          std::find(global_flags.begin(), global_flags.end(), name) == global_flags.end()) {
        unknown = name;
        return out;
      }
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_group().empty()) names.push_back(sub->get_name());  // not the hidden __complete
  return names;
}

// "--inventroy": the option names of the command line's subcommand and of the
// program, for a did-you-mean.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  std::vector<const CLI::App*> apps{&app};
  for (const CLI::App* sub : app.get_subcommands()) apps.push_back(sub);
  for (const CLI::App* a : apps)
    for (const CLI::Option* o : a->get_options())
      for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that goes away (a killed libvirtd, a closed pipe) is an error to report,
  // not a reason to die silently.
  std::signal(SIGPIPE, SIG_IGN);
  preflight::cli::Context ctx;
  CLI::App app{
      "preflight: decide whether VMs can move between libvirt hosts, and why\n"
      "Exit status: 0 go (or warn), 1 no-go, 2 undecided: could not decide (never a go).",
      "preflight"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("-V,--version", std::string("preflight ") + PREFLIGHT_VERSION);
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
  preflight::cli::register_drift(app, ctx);
  preflight::cli::register_whatif(app, ctx);
  preflight::cli::register_complete(app, ctx);
  // After the subcommands, which would otherwise inherit it.
  app.footer(
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight check web1 hostB                 may web1 move to hostB? (text, -o json, -o junit)\n"
      "  preflight migrate web1 hostB --dry-run --accept-warnings   the plan and the libvirt call\n"
      "  preflight compare hostA hostB              CPU differences both ways, with causes\n"
      "  preflight baseline hostA hostB -o qemu     the CPU every host can run\n"
      "  preflight mask db1 --hosts hostA hostB     the guest CPU that lets db1 run on both\n"
      "  preflight matrix                           which hosts' CPUs can take which hosts' guests\n"
      "  preflight estimate db1 hostB               how long moving db1 takes, and its downtime\n"
      "  preflight check db1 hostB -o dot | dot -Tsvg > db1.svg   a picture of what blocks\n"
      "  preflight collect --all -w facts/          facts of every host, in parallel\n"
      "Every command takes -o FORMAT (text or json, and where they fit junit, dot, yaml, qemu, ...), reads '-'\n"
      "as standard input where it takes a file, and is quieter with -q, more talkative with -v.\n"
      "Run 'preflight COMMAND --help' for a command's options.");

  // Words a person types first: help, version; nothing at all prints the help.
  std::string unknown_option;
  const std::vector<std::string> given =
      words(argc, argv, {"--no-color", "--quiet", "--verbose", "--help", "--version"}, unknown_option);
  const std::vector<std::string> global_options = {"--inventory", "--rules",   "--policy", "--cpu-map", "--no-color",
                                                   "--quiet",     "--verbose", "--help",   "--version"};
  const bool json = json_requested(argc, argv);
  if (!unknown_option.empty()) {
    return fail(fmt::format("unknown option '{}'{}; the options before a command: {}", unknown_option,
                            preflight::did_you_mean(unknown_option, global_options),
                            preflight::join(global_options, ", ")),
                json);
  }
  const std::string word = given.empty() ? "" : given[0];
  if (argc == 1 || word == "help") {
    const std::string topic = given.size() > 1 ? given[1] : "";
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; }))
      if (s->get_name() == topic) sub = s;
    std::cout << (sub ? sub->help() : app.help());
    return 0;
  }
  if (word == "version") {
    std::cout << "preflight " << PREFLIGHT_VERSION << "\n";
    return 0;
  }
  // An unknown command, or an unknown word where a command takes its own (rules list).
  const CLI::App* level = &app;
  for (size_t k = 0; k < given.size() && given[0] != "__complete"; ++k) {  // its words are the shell's
    const std::vector<std::string> names = command_names(*level);
    if (names.empty()) break;
    if (std::find(names.begin(), names.end(), given[k]) == names.end()) {
      return fail(fmt::format("unknown command '{}'{}; {}: {}", k == 0 ? given[k] : given[0] + " " + given[k],
                              preflight::did_you_mean(given[k], names),
                              k == 0 ? "the commands" : "'" + given[0] + "' takes", preflight::join(names, ", ")),
                  json);
    }
    level = level->get_subcommand(given[k]);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ExtrasError& e) {
    // An option the command does not have: name the closest one.
    std::string hint;
    for (int i = 1; i < argc && hint.empty(); ++i)
      if (const std::string a = argv[i]; a.rfind("--", 0) == 0 && std::string(e.what()).find(a) != std::string::npos)
        hint = preflight::did_you_mean(a.substr(0, a.find('=')), option_names(app));
    std::cerr << "preflight: " << e.what() << hint << "\nRun 'preflight " << (word.empty() ? "" : word + " ")
              << "--help' for the options.\n";
    return fail(std::string(e.what()) + hint, json, true);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // --help and --version are successes; a usage error could not decide anything.
    return rc == 0 ? 0 : fail(e.what(), json || ctx.json(), true);
  } catch (const preflight::Error& e) {
    return fail(e.what(), json || ctx.json());
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what(), json || ctx.json());
  }
  return ctx.exit_code;
}
