// preflight compare HOST_A HOST_B: the CPU difference both ways, with causes.
// Exit 0 when the CPUs offer guests the same features and vendor, 1 when not, 2
// when nothing known differs but some features are unknown on one side.
#include <iostream>

#include "check/cpu_inputs.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "cpu/cpu_compare.hpp"

namespace preflight::cli {

namespace {

struct CompareOptions {
  std::string a, b;
};

HostFacts one_host(const std::string& arg, Context& ctx, const std::string* standard_input) {
  std::vector<HostFacts> hosts = load_hosts({arg}, ctx.inventory(), standard_input);
  if (hosts.size() != 1) {
    throw Error(arg + ": describes " + std::to_string(hosts.size()) + " CPUs, compare needs one",
                "give a file with a single <cpu>, or an inventory host");
  }
  return std::move(hosts.front());
}

}  // namespace

void register_compare(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand("compare", "compare the CPUs of two hosts, both ways");
  cmd->add_option("host_a", o->a, "inventory host or file ('-': standard input)")->required();
  cmd->add_option("host_b", o->b, "inventory host or file ('-': standard input)")->required();
  add_output_option(cmd, ctx, {"text", "json"}, "json lists every feature by name");
  cmd->footer("Exit status: 0 same vendor and features, 1 different (a vendor or a feature known to differ), 2 could\n"
              "not decide: a CPU could not be read, or nothing known differs but a side's vendor is unknown (a CPU\n"
              "description naming none, e.g. model qemu64) or its facts cannot tell some features (listed as unknown).");
  cmd->callback([o, &ctx] {
    const std::string* standard_input = ctx.host_arguments({o->a, o->b});
    const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
    const HostFacts a = one_host(o->a, ctx, standard_input);
    const HostFacts b = one_host(o->b, ctx, standard_input);
    const CpuComparison c = compare_hosts(a, b, catalog);
    if (ctx.options.output == "json") {
      ctx.print_json(comparison_json(c));
    } else {
      std::cout << comparison_text(c);
    }
    ctx.exit_code = static_cast<int>(c.undecided() ? ExitCode::undecided : c.identical() ? ExitCode::go : ExitCode::no_go);
  });
}

}  // namespace preflight::cli
