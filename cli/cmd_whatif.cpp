// preflight whatif --add FACTS | --remove HOST | --replace HOST=FACTS [--pool P]:
// a pool's baseline before and after a change of its hosts, the VMs that would no
// longer fit every host of the pool, and the mask that keeps them movable. From
// facts alone. Exit 0 when no VM loses a move, 1 when some would, 2 undecided.
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

struct WhatIfOptions {
  std::vector<std::string> add, remove, replace;
  std::string pool;
  std::string fleet;
};

}  // namespace

void register_whatif(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<WhatIfOptions>();
  CLI::App* cmd = app.add_subcommand(
      "whatif", "a pool's baseline and VMs if hosts change");
  cmd->add_option("--add", o->add, "a host's facts file to add (its `name:` names it); repeatable");
  cmd->add_option("--remove", o->remove, "an inventory host to take away; repeatable");
  cmd->add_option("--replace", o->replace, "HOST=FACTS: the host's facts after, e.g. a new server (its VMs stay on it); repeatable");
  cmd->add_option("--pool", o->pool,
                  "the pool to judge; added hosts join it (default: every pool the change touches)");
  cmd->add_option("--fleet", o->fleet, "folder of the fleet's facts (collect --all -w DIR) instead of the inventory's hosts");
  add_output_option(cmd, ctx, {"text", "json", "prometheus"},
                    "json carries the baselines, the VMs with their masks, and every move judged; prometheus is "
                    "node_exporter's textfile format");
  cmd->footer(
      "The fleet before is the inventory's hosts (or --fleet DIR); after, the change applied. For each pool:\n"
      "the baseline CPU of its hosts before and after (the named model, x86-64 level, the features lost), the\n"
      "VMs that could move to every other host of the pool before and no longer could (judged by the CPU rules\n"
      "of `preflight check`), why, and the mask -- the guest CPU every host of the pool would have -- that keeps\n"
      "them movable.\n"
      "Exit status: 0 no VM loses a move, 1 some VM would, 2 a fit cannot be told or an input is bad.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight whatif --add haswell.yaml --pool prod     a Haswell server joins pool prod\n"
      "  preflight whatif --remove hostB                     hostB leaves\n"
      "  preflight whatif --replace hostB=new-hostB.yaml -o json");
  cmd->callback([o, &ctx] {
    if (o->add.empty() && o->remove.empty() && o->replace.empty())
      throw Error("whatif needs a change", "give --add FACTS, --remove HOST or --replace HOST=FACTS");
    const Inventory* inv = ctx.inventory();
    if (!inv && o->fleet.empty())
      throw Error("whatif needs the fleet: an inventory or --fleet DIR",
                  "give --inventory FILE, or the fleet's facts with --fleet DIR (preflight collect --all -w DIR)");
    const Inventory none;
    const CheckSetup setup =
        load_check_setup(inv ? *inv : none, {ctx.options.rules_dir, ctx.options.policy, ctx.options.cpu_map});
    const std::vector<HostFacts> before = o->fleet.empty() ? load_inventory_world(*inv) : load_facts_world(o->fleet);
    auto has = [&](const std::vector<HostFacts>& w, const std::string& n) {
      return std::any_of(w.begin(), w.end(), [&](const HostFacts& h) { return h.name == n; });
    };
    std::vector<HostFacts> after = before;
    for (const auto& r : o->remove) {
      if (!has(after, r)) throw Error("--remove " + r + ": no such host in the fleet", "name a host of the inventory");
      std::erase_if(after, [&](const HostFacts& h) { return h.name == r; });
    }
    for (const auto& r : o->replace) {
      const auto eq = r.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == r.size())
        throw Error("--replace " + r + ": expected HOST=FACTS", "e.g. --replace hostB=new-hostB.yaml");
      const std::string host = r.substr(0, eq);
      if (!has(after, host)) throw Error("--replace " + host + ": no such host in the fleet", "name a host of the inventory");
      auto hosts = load_facts_world(r.substr(eq + 1));
      if (hosts.size() != 1) throw Error("--replace " + r + ": give one host's facts file", "not a folder");
      HostFacts h = std::move(hosts.front());
      h.name = host;
      // The new hardware; the host's VMs stay on it.
      for (const auto& b : before)
        if (b.name == host) {
          if (h.pool_membership.empty()) h.pool_membership = b.pool_membership;
          h.vms = b.vms;
        }
      after = replace_hosts(after, {h});
    }
    for (const auto& a : o->add) {
      for (auto& h : load_facts_world(a)) {
        if (has(after, h.name))
          throw Error("--add " + a + ": host " + h.name + " is already in the fleet",
                      "use --replace " + h.name + "=" + a + " to change it");
        if (!o->pool.empty()) h.pool_membership = o->pool;
        if (h.pool_membership.empty() && std::any_of(before.begin(), before.end(), [](const HostFacts& b) {
              return !b.pool_membership.empty();
            }))
          throw Error("--add " + a + ": host " + h.name + "'s facts name no pool, and the inventory's hosts are in pools",
                      "say which pool it joins: --pool P");
        after.push_back(std::move(h));
      }
    }
    const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    const ImpactSetup is{setup.catalog, setup.policy, setup.cpu_catalog, nullptr, today};
    const WhatIf w = compute_whatif(before, after, o->pool, is);
    if (ctx.json()) ctx.print_json(whatif_json(w));
    else if (ctx.options.output == "prometheus") std::cout << render_whatif_prometheus(w);
    else std::cout << fold_lines(render_whatif_text(w), ctx.text_width());
    ctx.exit_code = w.exit_status();
  });
}

}  // namespace preflight::cli
