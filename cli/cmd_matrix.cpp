// preflight matrix [HOST...]: pairwise CPU compatibility of hosts, all of the
// inventory by default. Exit 0 when every guest could go everywhere, 1 when some
// pair cannot, 2 when a host or its CPU could not be read (no pair is guessed).
#include <iostream>

#include <fmt/format.h>

#include "check/check_run.hpp"
#include "cli/command.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_matrix.hpp"
#include "report/matrix_report.hpp"

namespace preflight::cli {
namespace {

struct MatrixOptions {
  std::vector<std::string> hosts;
};

// Inventory hosts are collected in parallel; files are read in place. Throws
// Error naming every host that could not be read.
std::vector<HostFacts> load_matrix_hosts(const std::vector<std::string>& args, Context& ctx) {
  const std::vector<std::string> names = args.empty() ? ctx.require_inventory().names() : args;
  Context::stdin_at_most_once(names);
  const Inventory* inv = ctx.inventory();
  std::vector<std::vector<HostFacts>> per_arg(names.size());
  std::vector<const InventoryHost*> live;
  std::vector<size_t> slot;
  for (size_t i = 0; i < names.size(); ++i) {
    if (const InventoryHost* h = inv ? inv->find(names[i]) : nullptr) {
      live.push_back(h);
      slot.push_back(i);
    } else {
      per_arg[i] = ctx.host_argument(names[i]);
    }
  }
  CollectedHosts got = collect_hosts(live);
  std::vector<std::string> failed;
  for (size_t k = 0; k < live.size(); ++k) {
    if (got.facts[k]) per_arg[slot[k]].push_back(std::move(*got.facts[k]));
    else failed.push_back(got.errors[k]);
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot read {} host{}: {}", failed.size(), failed.size() == 1 ? "" : "s",
                            join(failed, "; ")),
                "every host must be read to judge its pairs; name only the reachable ones: preflight matrix HOST...");
  std::vector<HostFacts> hosts;
  for (auto& v : per_arg)
    for (auto& h : v) hosts.push_back(std::move(h));
  if (hosts.size() < 2)
    throw Error(fmt::format("matrix: {} host{} given, a matrix needs at least two", hosts.size(),
                            hosts.size() == 1 ? "" : "s"),
                "name two or more hosts, or add hosts to the inventory");
  return hosts;
}

}  // namespace

void register_matrix(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MatrixOptions>();
  CLI::App* cmd = app.add_subcommand("matrix", "pairwise CPU compatibility of hosts (all of the inventory by default)");
  cmd->add_option("host", o->hosts, "inventory host names or files ('-': standard input; default: every inventory host)");
  add_output_option(cmd, ctx, {"text", "json"}, "json lists the missing features of each pair");
  cmd->footer(
      "A cell FROM -> TO says whether a guest that sees FROM's whole CPU (host-model, host-passthrough) can move\n"
      "to TO: ok, the number of features TO lacks, ? (none is known to be missing, but a feature one side's facts\n"
      "cannot tell could be), or vendor (different CPU vendors).\n"
      "Exit status: 0 every pair ok, 1 some pair not, 2 a host or its CPU could not be read, or a pair is ? and\n"
      "none is known to fail.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight matrix                      every inventory host\n"
      "  preflight matrix hostA hostB -o json  the pairs with the missing feature names\n"
      "  preflight matrix a.yaml b-caps.xml    facts files, capabilities XML, <cpu> files work too");
  cmd->callback([o, &ctx] {
    const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
    const std::vector<HostFacts> hosts = load_matrix_hosts(o->hosts, ctx);
    const CpuMatrix m = compute_cpu_matrix(hosts, catalog);
    if (ctx.json()) ctx.print_json(matrix_json(m, hosts, catalog));
    else std::cout << render_matrix_text(m, ctx.color());
    // Any pair known to lack a feature: no-go; else any pair its facts cannot tell: undecided.
    ctx.exit_code = static_cast<int>(m.all_ok() ? ExitCode::go : m.some_known_to_fail() ? ExitCode::no_go : ExitCode::undecided);
  });
}

}  // namespace preflight::cli
