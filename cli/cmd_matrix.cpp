// preflight matrix [HOST...]: pairwise CPU compatibility of hosts, all of the
// inventory by default. Exit 0 when every guest could go everywhere, 1 when some
// pair cannot, 2 when a host or its CPU could not be read (no pair is guessed).
#include <iostream>

#include "check/cpu_inputs.hpp"
#include "cli/command.hpp"
#include "cpu/cpu_matrix.hpp"
#include "report/matrix_html.hpp"
#include "report/matrix_report.hpp"

namespace preflight::cli {
namespace {

struct MatrixOptions {
  std::vector<std::string> hosts;
};

}  // namespace

void register_matrix(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MatrixOptions>();
  CLI::App* cmd = app.add_subcommand("matrix", "show between which hosts guests can move, by CPU");
  cmd->add_option("host", o->hosts, "inventory host names or files ('-': standard input; default: every inventory host)");
  add_output_option(cmd, ctx, {"text", "json", "html"},
                    "json lists the missing features of each pair (up to 300 classes; beyond, it counts each "
                    "class's destinations), html is one self-contained page: the class heatmap");
  cmd->footer(
      "A cell FROM -> TO says whether a guest that sees FROM's whole CPU (host-model, host-passthrough) can move\n"
      "to TO: ok, the number of features TO lacks, ? (none is known to be missing, but a feature one side's facts\n"
      "cannot tell could be), or vendor (different CPU vendors).\n"
      "Exit status: 0 every pair ok, 1 some pair not, 2 a host or its CPU could not be read, or a pair is ? and\n"
      "none is known to fail.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight matrix                      every inventory host\n"
      "  preflight matrix hostA hostB -o json  the pairs with the missing feature names\n"
      "  preflight matrix -o html > fleet.html the heatmap of CPU classes, features on hover (loads nothing)\n"
      "  preflight matrix a.yaml b-caps.xml    facts files, capabilities XML, <cpu> files work too");
  cmd->callback([o, &ctx] {
    const std::vector<std::string> names = o->hosts.empty() ? ctx.require_inventory().names() : o->hosts;
    const std::string* standard_input = ctx.host_arguments(names);
    const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
    MatrixHosts hosts = load_matrix_hosts(names, ctx.inventory(), standard_input, catalog);
    const CpuMatrix m = compute_cpu_matrix(std::move(hosts.cpus), std::move(hosts.facts), catalog);
    if (ctx.json()) ctx.print_json(matrix_json(m, catalog));
    else if (ctx.options.output == "html") std::cout << render_matrix_html(m, catalog);
    else std::cout << render_matrix_text(m, ctx.color());
    // Any pair known to lack a feature: no-go; else any pair its facts cannot tell: undecided.
    ctx.exit_code = static_cast<int>(m.all_ok() ? ExitCode::go : m.some_known_to_fail() ? ExitCode::no_go : ExitCode::undecided);
  });
}

}  // namespace preflight::cli
