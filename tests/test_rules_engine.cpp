// The engine's verdict and exit-status mapping, severity overrides and waivers.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

namespace {

// The shipped catalog without the CPU rules (their facts are not in the scenario).
RuleCatalog non_cpu_catalog() {
  RuleCatalog c = preflight::test::shipped_catalog();
  std::erase_if(c.rules, [](const Rule& r) { return r.id.rfind("cpu.", 0) == 0 && r.id != "cpu.vendor"; });
  return c;
}

Verdict run(const Scenario& s) {
  // cpu.vendor names vendors from the CPU catalog (cpu_map), as every CPU rule does.
  return evaluate(non_cpu_catalog(), CheckRequest{s.source, s.destination, s.vm, s.policy, s.link, s.today,
                                                  &preflight::test::cpu_catalog()});
}

Finding find(const Verdict& v, const std::string& rule) {
  for (const auto& f : v.results)
    if (f.rule == rule) return f;
  throw std::runtime_error("no " + rule);
}

}  // namespace

BOOST_AUTO_TEST_CASE(clean_move_is_go_exit_0) {
  const Verdict v = run(Scenario());
  BOOST_TEST(to_string(v.verdict) == "go");
  BOOST_TEST(v.vm == "vm1");
  BOOST_TEST(v.source == "hostA");
  BOOST_TEST(v.destination == "hostB");
  BOOST_TEST(v.results.size() == non_cpu_catalog().rules.size());
  BOOST_TEST((exit_code(v, false) == ExitCode::go));
  BOOST_TEST((exit_code(v, true) == ExitCode::go));
}

BOOST_AUTO_TEST_CASE(warn_is_go_unless_strict) {
  Scenario s;
  s.vm.cputune.emulatorpin = "0-1";
  const Verdict v = run(s);
  BOOST_TEST(to_string(v.verdict) == "warn");
  BOOST_TEST((exit_code(v, false) == ExitCode::go));
  BOOST_TEST((exit_code(v, true) == ExitCode::no_go));
}

BOOST_AUTO_TEST_CASE(block_is_no_go_exit_1) {
  Scenario s;
  s.vm.hostdevs.push_back({"usb", "subsystem", "usb 046d:c52b"});
  const Verdict v = run(s);
  BOOST_TEST(to_string(v.verdict) == "no-go");
  BOOST_TEST((exit_code(v, false) == ExitCode::no_go));
}

BOOST_AUTO_TEST_CASE(an_unknown_fact_is_undecided_exit_2_never_go) {
  Scenario s;
  s.destination.memory.free_kib = Fact<uint64_t>::unknown("lost connection");
  const Verdict v = run(s);
  BOOST_TEST(to_string(v.verdict) == "undecided");
  BOOST_TEST((exit_code(v, false) == ExitCode::undecided));
  BOOST_TEST((exit_code(v, true) == ExitCode::undecided));
  const Finding f = find(v, "resources.memory");
  BOOST_TEST(f.message == "hostB: fact memory.free_kib is unknown (lost connection)");
  BOOST_TEST(!f.remediation.empty());
}

// A block is final: what the erroring rule would have said cannot make it a go.
BOOST_AUTO_TEST_CASE(a_block_beats_an_unknown_fact_no_go_exit_1) {
  Scenario s;
  s.destination.memory.free_kib = Fact<uint64_t>::unknown("lost connection");
  s.vm.hostdevs.push_back({"usb", "subsystem", "usb 046d:c52b"});
  const Verdict v = run(s);
  BOOST_TEST(to_string(find(v, "resources.memory").status) == "error");
  BOOST_TEST(to_string(v.verdict) == "no-go");
  BOOST_TEST((exit_code(v, false) == ExitCode::no_go));
}

BOOST_AUTO_TEST_CASE(the_cpu_rules_fail_closed) {
  // Whatever the CPU engine says, the shipped catalog never lets an unknown through.
  Scenario s;
  s.source.cpu = CpuFacts{};
  s.source.offers = Fact<std::vector<GuestOffer>>::unknown("not collected");  // nor what its hypervisor offers
  const Verdict v = s.evaluate();
  BOOST_TEST(to_string(v.verdict) == "undecided");
  BOOST_TEST((exit_code(v, false) == ExitCode::undecided));
  BOOST_TEST(to_string(find(v, "cpu.vendor").status) == "error");
}

BOOST_AUTO_TEST_CASE(severity_override_from_policy) {
  Scenario s;
  s.vm.cputune.emulatorpin = "0-1";
  s.policy.severity["placement.affinity"] = Severity::block;
  BOOST_TEST(to_string(find(run(s), "placement.affinity").status) == "block");
  s.policy.severity["placement.affinity"] = Severity::info;
  const Finding f = find(run(s), "placement.affinity");
  BOOST_TEST(to_string(f.status) == "pass");
}

BOOST_AUTO_TEST_CASE(waivers_apply_by_scope_until_expiry) {
  using namespace std::chrono;
  Scenario s;
  s.vm.hostdevs.push_back({"pci", "subsystem", "0000:3b:00.0"});
  Waiver w;
  w.rule = "devices.hostdev";
  w.reason = "GPU present on both hosts, CHG-42";
  w.vm = "vm1";
  w.expires = year_month_day{year{2026}, month{6}, day{15}};
  s.policy.waivers.push_back(w);
  Verdict v = run(s);
  const Finding f = find(v, "devices.hostdev");
  BOOST_TEST(to_string(f.status) == "waived");
  BOOST_TEST(f.evidence["waiver"]["reason"] == "GPU present on both hosts, CHG-42");
  BOOST_TEST(f.evidence["waived_status"] == "block");
  BOOST_TEST(to_string(v.verdict) == "go");

  s.today = year_month_day{year{2026}, month{6}, day{16}};
  v = run(s);
  BOOST_TEST(to_string(find(v, "devices.hostdev").status) == "block");
  BOOST_TEST(find(v, "devices.hostdev").evidence["expired_waiver"]["expired"] == "2026-06-15");

  s.today = year_month_day{year{2026}, month{6}, day{1}};
  s.policy.waivers[0].vm = "vm2";
  BOOST_TEST(to_string(find(run(s), "devices.hostdev").status) == "block");
}

BOOST_AUTO_TEST_CASE(waivers_never_cover_errors) {
  Scenario s;
  s.destination.memory.free_kib = Fact<uint64_t>::unknown("lost connection");
  Waiver w;
  w.rule = "resources.memory";
  w.reason = "trust me";
  s.policy.waivers.push_back(w);
  const Verdict v = run(s);
  BOOST_TEST(to_string(find(v, "resources.memory").status) == "error");
  BOOST_TEST((exit_code(v, false) == ExitCode::undecided));
}

BOOST_AUTO_TEST_CASE(a_check_that_throws_is_an_error_finding) {
  Scenario s;
  s.vm.cputune.emulatorpin = "0-x";
  const Finding f = find(run(s), "placement.affinity");
  BOOST_TEST(to_string(f.status) == "error");
  BOOST_TEST(f.message.find("cpuset '0-x'") != std::string::npos, f.message);
}
