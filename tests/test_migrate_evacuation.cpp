// The evacuation planner (lib/migrate/evacuation.hpp) and the per-host move queue
// (lib/migrate/move_queue.hpp) on plain facts and fake moves: no libvirt.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "migrate/evacuation.hpp"
#include "migrate/move_queue.hpp"

using namespace preflight;

namespace {

constexpr std::uint64_t GiB = 1024 * 1024;  // in KiB

VmFacts vm(const std::string& name, std::uint64_t memory_gib, const std::string& state = "running") {
  VmFacts v;
  v.name = name;
  v.state = state;
  v.memory_kib = memory_gib * GiB;
  v.vcpus = 1;
  return v;
}

HostFacts host(const std::string& name, std::optional<std::uint64_t> free_gib, std::vector<VmFacts> vms = {}) {
  HostFacts h;
  h.name = name;
  if (free_gib) h.memory.free_kib = *free_gib * GiB;
  else h.memory.free_kib = Fact<std::uint64_t>::unknown("not reported");
  h.vms = std::move(vms);
  return h;
}

EvacuationTarget target(HostFacts facts) {
  EvacuationTarget t;
  t.name = facts.name;
  t.facts = std::move(facts);
  return t;
}

CandidateCheck go() { return {MoveVerdict{MoveVerdictKind::go, {}}, false}; }
CandidateCheck no_go(std::string why) { return {MoveVerdict{MoveVerdictKind::no_go, {std::move(why)}}, false}; }

// The engine's memory rule in small: need (memory + overhead) within free memory.
CandidateCheck memory_check(const VmFacts& v, const HostFacts& d, std::uint64_t overhead_kib) {
  const std::uint64_t need = v.memory_kib + overhead_kib;
  if (!d.memory.free_kib.known()) return go();
  if (need > d.memory.free_kib.value())
    return no_go("resources.memory: " + d.name + " has " + std::to_string(d.memory.free_kib.value() / GiB) + " GiB free");
  return go();
}

const VmPlacement& placement_of(const EvacuationPlan& plan, const std::string& name) {
  for (const auto& p : plan.vms)
    if (p.vm == name) return p;
  throw std::runtime_error("no placement for " + name);
}

}  // namespace

BOOST_AUTO_TEST_CASE(largest_first_to_the_most_free_memory_left_with_earlier_picks_committed) {
  const HostFacts source = host("A", 100, {vm("small-a", 4), vm("small-b", 4), vm("big", 6)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("B", 10)), target(host("C", 8))};
  std::vector<std::string> seen;  // "vm@host:free GiB" as the check saw it
  const auto plan = plan_evacuation(in, [&](const VmFacts& v, const HostFacts& d) {
    seen.push_back(v.name + "@" + d.name + ":" + std::to_string(d.memory.free_kib.value() / GiB));
    return memory_check(v, d, 0);
  });
  // big (6) first: B leaves 4, C 2 -> B. small-a: B leaves 0, C 4 -> C. small-b: B 0, C 0, tie -> B (target order).
  BOOST_TEST(placement_of(plan, "big").destination == "B");
  BOOST_TEST(placement_of(plan, "small-a").destination == "C");
  BOOST_TEST(placement_of(plan, "small-b").destination == "B");
  BOOST_TEST(seen == (std::vector<std::string>{"big@B:10", "big@C:8", "small-a@B:4", "small-a@C:8", "small-b@B:4",
                                               "small-b@C:4"}),
             boost::test_tools::per_element());
  // Reported by name, started largest first.
  std::vector<std::string> names, started;
  for (const auto& p : plan.vms) names.push_back(p.vm);
  for (size_t i : plan.move_order) started.push_back(plan.vms[i].vm);
  BOOST_TEST(names == (std::vector<std::string>{"big", "small-a", "small-b"}), boost::test_tools::per_element());
  BOOST_TEST(started == (std::vector<std::string>{"big", "small-a", "small-b"}), boost::test_tools::per_element());
  // The committed VMs are among the destinations' running domains for later checks.
  const auto& b = *plan.targets[0].facts;
  BOOST_TEST(b.memory.free_kib.value() == 0u);
  BOOST_TEST(b.vms.value().size() == 2u);
  BOOST_TEST(b.vms.value()[0].state == "running");
}

BOOST_AUTO_TEST_CASE(moves_start_shortest_estimate_first_and_those_not_converging_last) {
  const HostFacts source =
      host("A", 100, {vm("a-slow", 2), vm("b-fast", 8), vm("c-stalls", 1), vm("d-none", 1), vm("e-fast", 4)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("B", 100))};
  EvacuationPlan plan = plan_evacuation(in, [](const VmFacts&, const HostFacts&) { return go(); });
  // Placement order first: largest first, then by name.
  std::vector<std::string> placed;
  for (size_t i : plan.move_order) placed.push_back(plan.vms[i].vm);
  BOOST_TEST(placed == (std::vector<std::string>{"b-fast", "e-fast", "a-slow", "c-stalls", "d-none"}),
             boost::test_tools::per_element());

  // Estimates that do not follow memory (a guest that dirties fast takes longer).
  const std::map<std::string, PlannedEstimate> estimates = {
      {"a-slow", PlannedEstimate{90, 300, {}, 12, 0, 210}},
      {"b-fast", PlannedEstimate{20, 100, {}, 2, 0, 70}},
      {"c-stalls", PlannedEstimate{3600, 9000, {}, 0, 0, 0}},  // not expected to converge
      {"e-fast", PlannedEstimate{20, 80, {}, 2, 0, 70}},        // ties b-fast: placement order
  };
  order_moves_by_estimate(plan, [&](const VmPlacement& p) {
    const auto it = estimates.find(p.vm);
    if (it == estimates.end()) throw Error("no estimate for " + p.vm + " in this test");
    return it->second;
  });
  std::vector<std::string> started;
  for (size_t i : plan.move_order) started.push_back(plan.vms[i].vm);
  BOOST_TEST(started == (std::vector<std::string>{"b-fast", "e-fast", "a-slow", "c-stalls", "d-none"}),
             boost::test_tools::per_element());
  BOOST_TEST(placement_of(plan, "a-slow").estimate->total_s == 90.0);
  BOOST_TEST(!placement_of(plan, "d-none").estimate);
  BOOST_TEST(placement_of(plan, "d-none").estimate_missing == "no estimate for d-none in this test");
  BOOST_TEST(placement_of(plan, "a-slow").estimate_missing.empty());

  // Reversed estimates reverse the converging ones; the rest stay last.
  const std::map<std::string, PlannedEstimate> reversed = {
      {"a-slow", PlannedEstimate{5, 300, {}, 2, 0, 40}},
      {"b-fast", PlannedEstimate{60, 100, {}, 2, 0, 150}},
      {"e-fast", PlannedEstimate{30, 80, {}, 2, 0, 90}},
  };
  order_moves_by_estimate(plan, [&](const VmPlacement& p) {
    const auto it = reversed.find(p.vm);
    if (it == reversed.end()) throw Error("no estimate for " + p.vm + " in this test");
    return it->second;
  });
  started.clear();
  for (size_t i : plan.move_order) started.push_back(plan.vms[i].vm);
  BOOST_TEST(started[0] == "a-slow");
  BOOST_TEST(started[1] == "e-fast");
  BOOST_TEST(started[2] == "b-fast");
  BOOST_TEST(!placement_of(plan, "c-stalls").estimate, "an estimate of an earlier ordering is not kept");
}

BOOST_AUTO_TEST_CASE(the_overhead_is_committed_with_each_vm) {
  const HostFacts source = host("A", 100, {vm("one", 4), vm("two", 4)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("B", 9))};
  in.memory_overhead_kib = GiB / 2;
  const auto plan = plan_evacuation(in, [&](const VmFacts& v, const HostFacts& d) { return memory_check(v, d, GiB / 2); });
  // 4.5 + 4.5 = 9 fits exactly; the free memory left after the second is 0.
  BOOST_TEST(placement_of(plan, "one").destination == "B");
  BOOST_TEST(placement_of(plan, "two").destination == "B");
  BOOST_TEST(*placement_of(plan, "two").candidates[0].free_after_kib == 0u);

  in.targets = {target(host("B", 8))};
  const auto tight = plan_evacuation(in, [&](const VmFacts& v, const HostFacts& d) { return memory_check(v, d, GiB / 2); });
  BOOST_TEST(to_string(placement_of(tight, "one").placement) == "placed");
  const VmPlacement& two = placement_of(tight, "two");
  BOOST_TEST(to_string(two.placement) == "unplaced");
  BOOST_TEST(two.why == "no candidate qualifies: no-go on 1");
  BOOST_TEST(two.candidates[0].check.verdict.reasons.at(0) == "resources.memory: B has 3 GiB free");
  BOOST_TEST(!two.undecided());
}

BOOST_AUTO_TEST_CASE(go_beats_warn_and_warn_qualifies_only_when_accepted) {
  const HostFacts source = host("A", 100, {vm("web", 2)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("roomy", 50)), target(host("tight", 5))};
  const auto check = [](const VmFacts&, const HostFacts& d) {
    if (d.name == "roomy") return CandidateCheck{MoveVerdict{MoveVerdictKind::warn, {"storage.shared: copy"}}, false};
    return go();
  };
  in.accept_warnings = true;
  BOOST_TEST(placement_of(plan_evacuation(in, check), "web").destination == "tight");

  in.targets = {target(host("roomy", 50))};
  const auto accepted = plan_evacuation(in, check);
  BOOST_TEST(placement_of(accepted, "web").destination == "roomy");
  BOOST_TEST(to_string(placement_of(accepted, "web").chosen.verdict.kind) == "warn");

  in.accept_warnings = false;
  const auto refused_plan = plan_evacuation(in, check);
  const VmPlacement& refused = placement_of(refused_plan, "web");
  BOOST_TEST(to_string(refused.placement) == "unplaced");
  BOOST_TEST(refused.why == "no candidate qualifies: warn on 1 (--accept-warnings takes those)");
}

BOOST_AUTO_TEST_CASE(the_mode_decides_which_states_move) {
  const HostFacts source =
      host("A", 100, {vm("run", 1), vm("off", 1, "shutoff"), vm("held", 1, "paused"), vm("gone", 1, "crashed")});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("B", 50))};
  int checks = 0;
  const auto check = [&](const VmFacts&, const HostFacts&) {
    ++checks;
    return go();
  };
  const auto live = plan_evacuation(in, check);
  BOOST_TEST(to_string(placement_of(live, "run").placement) == "placed");
  BOOST_TEST(to_string(placement_of(live, "off").placement) == "skipped");
  BOOST_TEST(placement_of(live, "off").why == "shutoff: --mode live moves running VMs (--mode offline moves shut-off ones)");
  BOOST_TEST(to_string(placement_of(live, "held").placement) == "unplaced");
  BOOST_TEST(placement_of(live, "held").why ==
             "paused: only running VMs (shut-off ones with --mode offline) are moved; resume or stop it first");
  BOOST_TEST(to_string(placement_of(live, "gone").placement) == "unplaced");
  BOOST_TEST(checks == 1);

  in.mode = MigrationMode::offline;
  const auto offline = plan_evacuation(in, check);
  BOOST_TEST(to_string(placement_of(offline, "off").placement) == "placed");
  BOOST_TEST(placement_of(offline, "run").why == "running: --mode offline moves only shut-off VMs");
  // A shut-off VM takes no memory: nothing is committed.
  BOOST_TEST(offline.targets[0].facts->memory.free_kib.value() == 50 * GiB);
  BOOST_TEST(offline.targets[0].facts->vms.value().empty());
}

BOOST_AUTO_TEST_CASE(an_unusable_or_undecided_candidate_leaves_the_vm_undecided_not_refused) {
  const HostFacts source = host("A", 100, {vm("web", 2)});
  EvacuationInput in;
  in.source = &source;
  EvacuationTarget files;
  files.name = "filehost";
  files.unusable = "filehost: no libvirt URI in the inventory";
  in.targets = {files, target(host("B", 10))};
  const auto undecided = [](const VmFacts&, const HostFacts&) {
    return CandidateCheck{MoveVerdict{MoveVerdictKind::no_go, {"resources.memory: fact unknown"}}, true};
  };
  const auto plan = plan_evacuation(in, undecided);
  const VmPlacement& web = placement_of(plan, "web");
  BOOST_TEST(to_string(web.placement) == "unplaced");
  BOOST_TEST(web.undecided());
  BOOST_TEST(web.why == "no candidate qualifies: could not be decided on 2");
  BOOST_TEST(web.candidates[0].check.verdict.reasons.at(0) == "filehost: no libvirt URI in the inventory");
  BOOST_TEST(!web.candidates[0].free_after_kib.has_value());

  // A check that throws is undecided too, with its message.
  const auto throws = [](const VmFacts&, const HostFacts&) -> CandidateCheck { throw Error("B: cpu_map unreadable"); };
  const auto thrown_plan = plan_evacuation(in, throws);
  const VmPlacement& thrown = placement_of(thrown_plan, "web");
  BOOST_TEST(thrown.undecided());
  BOOST_TEST(thrown.candidates[1].check.verdict.reasons.at(0) == "B: cpu_map unreadable");

  // A candidate that qualifies wins over the undecided ones.
  const auto placed_plan = plan_evacuation(in, [](const VmFacts&, const HostFacts&) { return go(); });
  const VmPlacement& placed = placement_of(placed_plan, "web");
  BOOST_TEST(placed.destination == "B");
  BOOST_TEST(!placed.undecided());
}

BOOST_AUTO_TEST_CASE(a_candidate_that_already_has_a_domain_of_that_name_is_no_go_unchecked) {
  const HostFacts source = host("A", 100, {vm("web", 2)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("B", 50, {vm("web", 2, "shutoff")})), target(host("C", 10))};
  std::vector<std::string> checked;
  const auto plan = plan_evacuation(in, [&](const VmFacts&, const HostFacts& d) {
    checked.push_back(d.name);
    return go();
  });
  const VmPlacement& web = placement_of(plan, "web");
  BOOST_TEST(web.destination == "C");
  BOOST_TEST(checked == (std::vector<std::string>{"C"}), boost::test_tools::per_element());
  BOOST_TEST(web.candidates[0].check.verdict.reasons.at(0) == "B: a domain named web is already there (shutoff)");
  BOOST_TEST(!web.candidates[0].qualifies);
}

BOOST_AUTO_TEST_CASE(unknown_free_memory_ranks_last_and_unknown_vms_cannot_be_planned) {
  const HostFacts source = host("A", 100, {vm("web", 2)});
  EvacuationInput in;
  in.source = &source;
  in.targets = {target(host("mystery", std::nullopt)), target(host("known", 4))};
  const auto plan = plan_evacuation(in, [](const VmFacts&, const HostFacts&) { return go(); });
  BOOST_TEST(placement_of(plan, "web").destination == "known");

  HostFacts blind = host("A", 100);
  blind.vms = Fact<std::vector<VmFacts>>::unknown("libvirt refused to list domains");
  in.source = &blind;
  try {
    plan_evacuation(in, [](const VmFacts&, const HostFacts&) { return go(); });
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "A: cannot evacuate: its VMs are unknown (libvirt refused to list domains); "
               "the source's libvirt connection must list its domains");
  }
}

BOOST_AUTO_TEST_CASE(ten_gigabit_links_double_the_limit_and_unknown_counts_as_slow) {
  BOOST_TEST(host_move_limit(std::nullopt, 4, 8) == 4);
  BOOST_TEST(host_move_limit(1.0, 4, 8) == 4);
  BOOST_TEST(host_move_limit(9.9, 4, 8) == 4);
  BOOST_TEST(host_move_limit(10.0, 4, 8) == 8);
  BOOST_TEST(host_move_limit(25.0, 4, 8) == 8);
}

namespace {

// Records how many fake moves ran at once on each host.
struct Recorder {
  std::mutex mutex;
  std::map<std::string, int> now, peak;
  std::vector<size_t> order;

  void run(const QueuedMove& m, size_t i, std::chrono::milliseconds how_long) {
    {
      std::lock_guard lock(mutex);
      order.push_back(i);
      for (const auto* h : {&m.source, &m.destination}) peak[*h] = std::max(peak[*h], ++now[*h]);
    }
    std::this_thread::sleep_for(how_long);
    std::lock_guard lock(mutex);
    for (const auto* h : {&m.source, &m.destination}) --now[*h];
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(moves_run_in_parallel_up_to_the_limit_of_each_host) {
  const std::vector<QueuedMove> moves = {{"A", "B"}, {"A", "C"}, {"A", "B"}, {"A", "C"}, {"A", "B"}};
  Recorder rec;
  const auto started = run_moves(
      moves, [](const std::string&) { return 2; },
      [&](size_t i) { rec.run(moves[i], i, std::chrono::milliseconds(60)); });
  BOOST_TEST(std::count(started.begin(), started.end(), true) == 5);
  BOOST_TEST(rec.order.size() == 5u);
  BOOST_TEST(rec.peak["A"] == 2);  // reached, never passed
  BOOST_TEST(rec.peak["B"] <= 2);
  BOOST_TEST(rec.peak["C"] <= 2);
}

BOOST_AUTO_TEST_CASE(a_full_host_does_not_hold_back_moves_between_other_hosts) {
  // A->B is limited to one at a time; C->D runs beside the first, before the second.
  const std::vector<QueuedMove> moves = {{"A", "B"}, {"A", "B"}, {"C", "D"}};
  Recorder rec;
  std::atomic<int> running{0}, peak{0};
  run_moves(
      moves, [](const std::string& h) { return h == "A" ? 1 : 4; },
      [&](size_t i) {
        const int n = ++running;
        for (int p = peak.load(); n > p && !peak.compare_exchange_weak(p, n);) {
        }
        rec.run(moves[i], i, std::chrono::milliseconds(80));
        --running;
      });
  BOOST_TEST(rec.peak["A"] == 1);
  BOOST_TEST(peak.load() == 2);
  BOOST_TEST(rec.order.at(2) == 1u);
}

BOOST_AUTO_TEST_CASE(stop_starts_no_further_move_and_a_thrown_error_comes_back) {
  const std::vector<QueuedMove> moves = {{"A", "B"}, {"A", "B"}, {"A", "B"}};
  std::atomic<int> ran{0};
  const auto started = run_moves(
      moves, [](const std::string&) { return 1; },
      [&](size_t) {
        ++ran;
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
      },
      [&] { return ran.load() >= 1; });
  BOOST_TEST(ran.load() == 1);
  BOOST_TEST(started == (std::vector<bool>{true, false, false}), boost::test_tools::per_element());

  BOOST_CHECK_THROW(run_moves(
                        moves, [](const std::string&) { return 3; },
                        [](size_t i) {
                          if (i == 1) throw std::runtime_error("boom");
                        }),
                    std::runtime_error);
}
