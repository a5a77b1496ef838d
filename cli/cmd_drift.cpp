// preflight drift OLD NEW: what a change of one host (two facts files) or of a
// fleet (two folders, as `collect --all -w DIR` writes them) does to what guests
// get and to where VMs can move. Exit 0 when no VM loses a move, 1 when some do,
// 2 when a judgement cannot be told (or an input is bad).
#include <iostream>

#include "check/check_run.hpp"
#include "check/impact_inputs.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "report/impact_report.hpp"
#include "rules/impact.hpp"

namespace preflight::cli {

namespace {

struct DriftOptions {
  std::string old_facts, new_facts;
  std::string fleet;        // --fleet DIR: the other hosts
  std::string old_cpu_map;  // --old-cpu-map DIR
};

// The hosts of `changed` keep the pool their namesake in `base` has when their facts name none.
void keep_pools(std::vector<HostFacts>& changed, const std::vector<HostFacts>& base) {
  for (auto& c : changed)
    if (c.pool_membership.empty())
      for (const auto& b : base)
        if (b.name == c.name) c.pool_membership = b.pool_membership;
}

}  // namespace

void register_drift(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<DriftOptions>();
  CLI::App* cmd = app.add_subcommand(
      "drift", "which VMs a host change (BIOS, kernel, QEMU) strands");
  cmd->add_option("old", o->old_facts, "facts before the change: a facts file of one host, or a folder of them");
  cmd->add_option("new", o->new_facts, "facts after the change: the same host's facts file, or a folder of them");
  cmd->add_option("--fleet", o->fleet,
                  "folder of the other hosts' facts (collect --all -w DIR); default: the inventory's hosts, collected "
                  "now");
  cmd->add_option("--old-cpu-map", o->old_cpu_map,
                  "the cpu_map folder before an upgrade; --cpu-map (or libvirt's) is the one after: the models whose "
                  "definition changed, and the guests that would see a different CPU");
  add_output_option(cmd, ctx, {"text", "json", "prometheus"},
                    "json lists every change and move; prometheus is node_exporter's textfile format "
                    "(preflight_drift_* gauges)");
  cmd->footer(
      "For each host whose facts differ: the facts that changed (microcode, firmware settings, kernel\n"
      "mitigations and flags, MSRs, QEMU/libvirt versions, CPU), the features host-model and host-passthrough\n"
      "guests gain and lose, each with its cause (absent in silicon, disabled by firmware, removed by microcode\n"
      "or kernel, not offered), the x86-64 level, and the named models that become unusable. Then every VM's\n"
      "moves to and from the changed hosts (and its start on its own host), judged before and after by the CPU\n"
      "rules of `preflight check` (cpu.vendor, cpu.features, cpu.firmware, cpu.passthrough).\n"
      "OLD and NEW of one host are put in place of that host among the other hosts (--fleet DIR, else the\n"
      "inventory's); two folders are two whole fleets.\n"
      "Exit status: 0 no VM loses a move, 1 some VM loses one (or can no longer start where it runs), 2 a move's\n"
      "judgement after the change cannot be told (a fact is missing) or an input could not be read.\n"
      "Examples:\n"
      "  preflight drift before/hostA.yaml after/hostA.yaml       one host, other hosts from the inventory\n"
      "  preflight drift before/ after/ -o json                   two fleets (collect --all -w before/ ...)\n"
      "  preflight drift before/ after/ -o prometheus > /var/lib/node_exporter/preflight.prom\n"
      "  preflight drift --fleet facts/ --old-cpu-map /srv/old-cpu_map   a libvirt upgrade's cpu_map");
  cmd->callback([o, &ctx] {
    if (o->old_facts.empty() != o->new_facts.empty())
      throw Error("drift needs both OLD and NEW", "give the facts before and after the change: preflight drift OLD NEW");
    if (o->old_facts.empty() && o->old_cpu_map.empty())
      throw Error("drift needs OLD and NEW, or --old-cpu-map DIR",
                  "give the facts before and after the change, e.g. preflight drift before/ after/");
    const Inventory* inv = ctx.inventory();
    const Inventory none;
    const CheckSetup setup = load_check_setup(inv ? *inv : none, {ctx.options.rules_dir, ctx.options.policy, ctx.options.cpu_map});
    std::optional<CpuCatalog> old_catalog;
    if (!o->old_cpu_map.empty()) old_catalog = CpuCatalog::load(o->old_cpu_map);

    auto base = [&]() -> std::vector<HostFacts> {
      if (!o->fleet.empty()) return load_facts_world(o->fleet);
      if (inv) return load_inventory_world(*inv);
      return {};
    };
    std::vector<HostFacts> before, after;
    if (o->old_facts.empty()) {
      before = after = base();
      if (before.empty())
        throw Error("no hosts to judge", "give --fleet DIR or an inventory (--inventory FILE)");
    } else {
      std::vector<HostFacts> a = load_facts_world(o->old_facts);
      std::vector<HostFacts> b = load_facts_world(o->new_facts);
      const bool folders = std::filesystem::is_directory(o->old_facts) && std::filesystem::is_directory(o->new_facts);
      if (!folders && a.size() == 1 && b.size() == 1 && a[0].name != b[0].name) {
        ctx.note("note: " + o->new_facts + " names host '" + b[0].name + "', " + o->old_facts + " '" + a[0].name +
                 "': both are taken as host " + a[0].name);
        b[0].name = a[0].name;
      }
      if (folders && o->fleet.empty()) {
        before = std::move(a);
        after = std::move(b);
      } else {
        const std::vector<HostFacts> rest = base();
        if (rest.empty())
          ctx.note("note: no other hosts (no inventory, no --fleet DIR): only the VMs of " + o->old_facts +
                   " are judged, on their own host");
        keep_pools(a, rest);
        keep_pools(b, rest);
        before = replace_hosts(rest, a);
        after = replace_hosts(rest, b);
      }
    }
    const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    const ImpactSetup is{setup.catalog, setup.policy, setup.cpu_catalog, old_catalog ? &*old_catalog : nullptr, today};
    const Impact impact = compute_impact(before, after, is);
    if (ctx.json()) ctx.print_json(impact_json(impact));
    else if (ctx.options.output == "prometheus") std::cout << render_impact_prometheus(impact);
    else std::cout << fold_lines(render_impact_text(impact), ctx.text_width());
    ctx.exit_code = impact.exit_status();
  });
}

}  // namespace preflight::cli
