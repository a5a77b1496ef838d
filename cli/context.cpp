#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/schema_version.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "rules/rule.hpp"

namespace preflight::cli {

const Inventory* Context::inventory() {
  if (!inventory_loaded_) {
    inventory_loaded_ = true;
    std::string path = options.inventory;
    std::string from = "--inventory";
    if (const char* env = std::getenv("PREFLIGHT_INVENTORY"); path.empty() && env && *env) {
      path = env;
      from = "$PREFLIGHT_INVENTORY";
    }
    if (path.empty()) {
      path = default_inventory_path().value_or("");
      from = "the default search";
    }
    if (!path.empty()) {
      inventory_ = std::make_unique<Inventory>(load_inventory(path));
      detail(fmt::format("inventory: {} (from {}), {} hosts", path, from, inventory_->hosts.size()));
    } else {
      detail("inventory: none (no --inventory, $PREFLIGHT_INVENTORY, ./preflight.yaml or "
             "$XDG_CONFIG_HOME/preflight/inventory.yaml)");
    }
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
  const Inventory& inv = require_inventory();
  const std::string policy = options.policy.empty() ? inv.policy : options.policy;
  detail(fmt::format("rules: {}", options.rules_dir.empty() ? default_rules_dir() : options.rules_dir));
  detail(fmt::format("policy: {}", policy.empty() ? "none" : policy));
  detail(fmt::format("cpu map: {}", options.cpu_map.empty() ? kDefaultCpuMapDir : options.cpu_map));
  return load_check_setup(inv, {options.rules_dir, options.policy, options.cpu_map});
}

const std::string& Context::standard_input() {
  if (!stdin_) {
    if (isatty(STDIN_FILENO))
      throw Error("-: standard input is a terminal", "pipe or redirect a file into preflight to read it as '-'");
    stdin_ = std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw Error("-: cannot read standard input");
    detail(fmt::format("-: {} bytes from standard input", stdin_->size()));
  }
  return *stdin_;
}

void Context::stdin_at_most_once(const std::vector<std::string>& args) {
  if (std::count(args.begin(), args.end(), "-") > 1)
    throw Error("'-' (standard input) is given more than once; it can be read once",
                "give the other inputs as files or inventory names");
}

void Context::describe_argument(const std::string& arg) {
  if (!options.verbose || arg == "-") return;  // standard_input() says how much it read
  const Inventory* inv = inventory();
  if (const InventoryHost* h = inv ? inv->find(arg) : nullptr) {
    std::vector<std::string> from;
    if (!h->libvirt.empty()) from.push_back("libvirt " + h->libvirt);
    if (!h->facts.empty()) from.push_back("facts " + h->facts);
    if (!h->cpu.empty()) from.push_back("cpu " + h->cpu);
    detail(fmt::format("{}: inventory host ({})", arg, join(from, ", ")));
  } else {
    detail(fmt::format("{}: file", arg));
  }
}

std::vector<HostFacts> Context::host_argument(const std::string& arg) {
  describe_argument(arg);
  if (arg == "-") {
    // An inventory host called "-" would be a strange name; standard input wins.
    std::vector<HostFacts> hosts = hosts_from_text(standard_input(), "stdin");
    detail(fmt::format("-: {} host{} from standard input", hosts.size(), hosts.size() == 1 ? "" : "s"));
    return hosts;
  }
  return load_host_argument(arg, inventory());
}

const std::string* Context::host_arguments(const std::vector<std::string>& args) {
  stdin_at_most_once(args);
  for (const std::string& arg : args) describe_argument(arg);
  if (std::find(args.begin(), args.end(), "-") == args.end()) return nullptr;
  return &standard_input();
}

void Context::print_json(nlohmann::json doc, bool one_line) const {
  std::cout << with_schema_version(std::move(doc)).dump(one_line ? -1 : 2) << "\n";
  if (one_line) std::cout.flush();
}

void Context::note(const std::string& line) const {
  if (!options.quiet) std::cerr << line << "\n";
}

void Context::detail(const std::string& line) const {
  if (options.verbose) std::cerr << "preflight: " << line << "\n";
}

bool Context::color() const {
  if (options.no_color) return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
  return isatty(STDOUT_FILENO) != 0;
}

size_t Context::text_width() const {
  if (const char* columns = std::getenv("COLUMNS"); columns && *columns) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (*end == '\0' && n > 0) return static_cast<size_t>(n);
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

CLI::Validator number_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& value) -> std::string {
        if (parse_real(value, min, max)) return {};
        return fmt::format("'{}' is not a number from {} to {}", quote_input(value), min, max);
      },
      fmt::format("NUMBER in [{}, {}]", min, max));
}

CLI::Option* add_output_option(CLI::App* cmd, Context& ctx, const std::vector<std::string>& formats,
                               const std::string& help) {
  const std::string fallback = formats.front();
  // The default of this command, set when the command is on the command line (the
  // option, parsed later, overrides it).
  cmd->preparse_callback([&ctx, fallback](size_t) { ctx.options.output = fallback; });
  const std::string list = join(formats, ", ");
  CLI::Validator known(
      [formats, list](std::string& value) -> std::string {
        if (std::find(formats.begin(), formats.end(), value) != formats.end()) return {};
        return fmt::format("unknown output format '{}'{}; this command writes: {}", value,
                           did_you_mean(value, formats), list);
      },
      "");  // the type name says FORMAT
  return cmd->add_option("-o,--output", ctx.options.output, fmt::format("{} (default {}): {}", join(formats, "|"),
                                                                         fallback, help))
      ->check(known)
      ->type_name("FORMAT");
}

}  // namespace preflight::cli
