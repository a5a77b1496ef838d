// compute_impact and compute_whatif on facts built from fixtures/drift: what the
// CLI tests do not reach -- hosts that come and go, guests that take their host's
// CPU, the reach of each VM, and that a move's judgement is the check's own.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "core/text.hpp"
#include "facts/facts_yaml.hpp"
#include "rules/engine.hpp"
#include "rules/impact.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {

HostFacts load(const std::string& rel) {
  const std::string path = fixture("drift/" + rel);
  return facts_from_yaml(read_file(path), path);
}

struct Setup {
  RuleCatalog rules = load_rule_catalog(fixture("../rules"));
  Policy policy;
  CpuCatalog catalog = CpuCatalog::load();
  std::chrono::year_month_day today{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{30}};
  ImpactSetup impact() const { return ImpactSetup{rules, policy, catalog, nullptr, today}; }
};

const VmReach& reach_of(const Impact& im, const std::string& vm) {
  auto it = std::find_if(im.reach.begin(), im.reach.end(), [&](const VmReach& r) { return r.vm == vm; });
  BOOST_REQUIRE(it != im.reach.end());
  return *it;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_move_is_judged_by_the_checks_cpu_findings) {
  const Setup s;
  const std::vector<HostFacts> world = {load("tsx/after/hostA.yaml"), load("tsx/after/hostB.yaml")};
  const RuleCatalog cpu = cpu_rules_of(s.rules);
  BOOST_TEST(cpu.rules.size() >= 4u);
  for (const auto& r : cpu.rules) BOOST_TEST(r.id.starts_with("cpu."), r.id);
  size_t judged = 0, no = 0;
  for (const auto& src : world)
    for (const auto& vm : *src.vms.get())
      for (const auto& dst : world) {
        if (&src == &dst) continue;
        // The whole catalog, as `preflight check` runs it: a CPU finding that blocks is a no.
        const Verdict v = evaluate(s.rules, CheckRequest{src, dst, vm, s.policy, std::nullopt, s.today, &s.catalog, {}});
        const bool cpu_blocks = std::any_of(v.results.begin(), v.results.end(), [](const Finding& f) {
          return f.rule.starts_with("cpu.") && f.status == Status::block;
        });
        std::vector<std::string> why;
        const Mobility m = judge_mobility(vm, src, dst, cpu, s.policy, s.catalog, s.today, &why);
        BOOST_TEST((m == Mobility::no) == cpu_blocks, vm.name << " " << src.name << "->" << dst.name);
        BOOST_TEST(why.empty() == (m == Mobility::yes), vm.name);
        ++judged;
        no += m == Mobility::no;
      }
  BOOST_TEST(judged == 6u);  // 2 VMs of hostA, 4 of hostB, one destination each
  BOOST_TEST(no == 3u);      // tsx2, hm2 and pt2 cannot go to hostA
}

BOOST_AUTO_TEST_CASE(a_removed_host_is_named_and_lowers_each_vms_reach) {
  const Setup s;
  const std::vector<HostFacts> before = {load("tsx/before/hostA.yaml"), load("tsx/before/hostB.yaml")};
  const std::vector<HostFacts> after = {load("tsx/before/hostB.yaml")};
  const Impact im = compute_impact(before, after, s.impact());
  BOOST_TEST(im.removed_hosts == std::vector<std::string>{"hostA"});
  BOOST_TEST(im.hosts.empty());
  BOOST_TEST(reach_of(im, "old2").before == 1);  // hostB's VMs could go to hostA
  BOOST_TEST(reach_of(im, "old2").after == 0);
  BOOST_TEST(im.exit_status() == 0);  // no judgement turned: the host is gone, not refused
}

BOOST_AUTO_TEST_CASE(guests_that_take_their_hosts_cpu_see_the_change_at_their_next_start) {
  const Setup s;
  // hm2 (host-model) and pt2 (host-passthrough) run on the host whose microcode changes.
  HostFacts a0 = load("tsx/before/hostA.yaml"), a1 = load("tsx/after/hostA.yaml");
  const HostFacts b = load("tsx/before/hostB.yaml");
  for (HostFacts* h : {&a0, &a1})
    for (const auto& v : *b.vms.get())
      if (v.name == "hm2" || v.name == "pt2") h->vms.value().push_back(v);
  const Impact im = compute_impact({a0, b}, {a1, b}, s.impact());
  std::set<std::string> seen;
  for (const auto& g : im.guests) {
    BOOST_TEST(g.host == "hostA");
    BOOST_TEST(join(g.removed, " ") == "hle rtm", g.vm);
    seen.insert(g.vm + " " + g.mode);
  }
  BOOST_TEST(seen == (std::set<std::string>{"hm2 host-model", "pt2 host-passthrough"}));
}

BOOST_AUTO_TEST_CASE(whatif_with_nothing_changed_in_the_pool_loses_nothing) {
  const Setup s;
  const std::vector<HostFacts> pool = {load("whatif/skyA.yaml"), load("whatif/skyB.yaml")};
  const WhatIf w = compute_whatif(pool, pool, "prod", s.impact());
  BOOST_REQUIRE(w.pools.size() == 1u);
  BOOST_TEST(w.pools[0].before.features == w.pools[0].after.features);
  BOOST_TEST(w.pools[0].vms.empty());
  BOOST_TEST(w.exit_status() == 0);
  // Another Skylake host (skyB's facts named skyC) keeps the baseline and every VM.
  HostFacts c = load("whatif/skyB.yaml");
  c.name = "skyC";
  std::vector<HostFacts> grown = pool;
  grown.push_back(c);
  const WhatIf g = compute_whatif(pool, grown, "prod", s.impact());
  BOOST_TEST(g.added == std::vector<std::string>{"skyC"});
  BOOST_TEST(g.pools[0].after.model == g.pools[0].before.model);
  BOOST_TEST(g.pools[0].features_lost.empty());
  BOOST_TEST(g.pools[0].vms.empty());
}

BOOST_AUTO_TEST_CASE(the_reach_counted_by_classes_of_destinations_is_the_reach_judged_host_by_host) {
  Setup s;
  // hostA changes; hostB and two copies of it (one class of destinations) do not.
  std::vector<HostFacts> before = {load("tsx/before/hostA.yaml"), load("tsx/before/hostB.yaml")};
  std::vector<HostFacts> after = {load("tsx/after/hostA.yaml"), load("tsx/after/hostB.yaml")};
  for (const std::string name : {"hostC", "hostD"}) {
    HostFacts c = load("tsx/before/hostB.yaml");
    c.name = name;
    c.vms = std::vector<VmFacts>{};
    before.push_back(c);
    after.push_back(c);
  }
  const Impact by_class = compute_impact(before, after, s.impact());
  // A waiver (for nobody) makes every move judged host by host.
  s.policy.waivers.push_back(Waiver{"cpu.features", "test", "nobody", "", std::nullopt, "policy.yaml", 1});
  const Impact by_host = compute_impact(before, after, s.impact());
  BOOST_REQUIRE(by_class.reach.size() == by_host.reach.size());
  for (size_t i = 0; i < by_class.reach.size(); ++i) {
    const VmReach &a = by_class.reach[i], &b = by_host.reach[i];
    BOOST_TEST(a.vm == b.vm);
    BOOST_TEST(a.before == b.before, a.vm);
    BOOST_TEST(a.after == b.after, a.vm);
    BOOST_TEST(a.undecided_after == b.undecided_after, a.vm);
  }
  BOOST_TEST(reach_of(by_class, "tsx2").before == 3);  // hostA, hostC, hostD
  BOOST_TEST(reach_of(by_class, "tsx2").after == 2);   // hostA lost
  BOOST_TEST(by_class.lost() == by_host.lost());
}

// A VM defined on two hosts (a move without --undefinesource leaves a shut-off
// definition on its source) is the one that runs, wherever it is listed, and a note
// says so; with none running, the first in host order, and the note says that too.
BOOST_AUTO_TEST_CASE(a_vm_defined_on_two_hosts_is_judged_where_it_runs_and_a_note_says_so) {
  const Setup s;
  HostFacts a = load("tsx/before/hostA.yaml"), b = load("tsx/before/hostB.yaml");
  VmFacts left = b.vms.value()[0];  // tsx2, running on hostB: an inactive copy on hostA, listed first
  BOOST_REQUIRE(left.name == "tsx2");
  left.state = "shutoff";
  a.vms.value().push_back(left);
  const std::vector<HostFacts> world = {a, b};
  const Impact im = compute_impact(world, world, s.impact());
  BOOST_TEST(reach_of(im, "tsx2").host == "hostB");
  const std::string note = "VM 'tsx2' is defined on hostA, hostB (before): judged as the one on hostB, where it is active";
  BOOST_TEST(std::count(im.notes.begin(), im.notes.end(), note) == 1);
  BOOST_TEST(im.notes.size() == 2u, join(im.notes, "\n"));  // before and after

  b.vms.value()[0].state = "shutoff";  // now it runs on neither
  const Impact none = compute_impact({a, b}, {a, b}, s.impact());
  BOOST_TEST(reach_of(none, "tsx2").host == "hostA");
  BOOST_TEST(std::count(none.notes.begin(), none.notes.end(),
                        "VM 'tsx2' is defined on hostA, hostB (after): judged as the one on hostA (it is active on "
                        "none; the first)") == 1);
}

// whatif judges the same instance: a shut-off copy of a VM (here with a CPU model
// no catalog knows, so nothing about it is decided) neither hides the running VM's
// loss nor is judged itself, wherever the hosts are listed.
BOOST_AUTO_TEST_CASE(whatif_judges_the_active_instance_of_a_vm_defined_on_two_hosts) {
  const Setup s;
  const auto lost_by = [&](const std::vector<HostFacts>& before, const std::vector<HostFacts>& after) {
    const WhatIf w = compute_whatif(before, after, "prod", s.impact());
    BOOST_REQUIRE(w.pools.size() == 1u);
    std::vector<std::string> out;
    for (const auto& v : w.pools[0].vms) out.push_back(v.vm + "@" + v.host);
    std::sort(out.begin(), out.end());
    return std::pair{out, w.exit_status()};
  };
  HostFacts a = load("tsx/before/hostA.yaml"), b = load("tsx/before/hostB.yaml");
  HostFacts a2 = load("tsx/after/hostA.yaml"), b2 = load("tsx/after/hostB.yaml");
  const auto plain = lost_by({b, a}, {b2, a2});
  BOOST_REQUIRE(std::count(plain.first.begin(), plain.first.end(), "tsx2@hostB") == 1);
  BOOST_TEST(plain.second == 1);
  VmFacts copy = b.vms.value()[0];
  BOOST_REQUIRE(copy.name == "tsx2");
  copy.state = "shutoff";
  copy.cpu.model = "NoSuchModel";
  a.vms.value().push_back(copy);
  a2.vms.value().push_back(copy);
  const auto with_copy = lost_by({b, a}, {b2, a2});
  BOOST_TEST(with_copy.first == plain.first);
  BOOST_TEST(with_copy.second == plain.second);
}
