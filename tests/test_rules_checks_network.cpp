// Network rules on facts built in C++.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

BOOST_AUTO_TEST_CASE(present_matches_networks_exactly_and_case_sensitively) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("network.present").status) == "pass");
  s.destination.networks.value()[1].name = "Prod";
  const Finding f = s.finding("network.present");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message ==
             "hostB lacks network 'prod' (hostB has 'Prod': names are case-sensitive) that vm1 is attached to "
             "(names match exactly, case-sensitive)");
}

BOOST_AUTO_TEST_CASE(present_checks_port_groups_and_bridges) {
  Scenario s;
  s.vm.interfaces[0].portgroup = "dmz";
  BOOST_TEST(to_string(s.finding("network.present").status) == "block");
  Scenario b;
  b.vm.interfaces[0] = InterfaceFacts{"bridge", "", "", "br0", "", "52:54:00:00:00:02", "virtio"};
  BOOST_TEST(to_string(b.finding("network.present").status) == "pass");
  b.vm.interfaces[0].bridge = "br9";
  BOOST_TEST(to_string(b.finding("network.present").status) == "block");
  b.destination.bridges = Fact<std::vector<BridgeFacts>>::unknown("no interface API");
  BOOST_TEST(to_string(b.finding("network.present").status) == "error");
}

BOOST_AUTO_TEST_CASE(uplink_blocks_isolated_networks_and_bridges_without_nic) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("network.uplink").status) == "pass");
  s.destination.networks.value()[1].forward_mode = "";
  const Finding f = s.finding("network.uplink");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("network 'prod' (no forward mode: isolated)") != std::string::npos);

  Scenario b;
  b.destination.bridges.value()[0].members = {{"vnet0", Fact<bool>(false)}};
  BOOST_TEST(to_string(b.finding("network.uplink").status) == "block");
  b.destination.bridges.value()[0].members = {{"vnet0", Fact<bool>::unknown("no sysfs")}};
  BOOST_TEST(to_string(b.finding("network.uplink").status) == "error");
}

BOOST_AUTO_TEST_CASE(uplink_is_waivable) {
  Scenario s;
  s.destination.networks.value()[1].forward_mode = "";
  Waiver w;
  w.rule = "network.uplink";
  w.reason = "intranet-only VM";
  s.policy.waivers.push_back(w);
  const Finding f = s.finding("network.uplink");
  BOOST_TEST(to_string(f.status) == "waived");
  BOOST_TEST(f.waiver_reason == "intranet-only VM");
}

BOOST_AUTO_TEST_CASE(migration_link_skips_without_address_and_blocks_when_unreachable) {
  Scenario s;
  const Finding skip = s.finding("network.migration-link");
  BOOST_TEST(to_string(skip.status) == "skip");
  BOOST_TEST(skip.message.find("no migration address is configured for hostB") == 0);
  s.destination.migration_address = std::string("10.0.1.12");
  BOOST_TEST(to_string(s.finding("network.migration-link").status) == "error");  // not probed
  s.link = LinkProbeResult{"10.0.1.12:22", false, 0, "Connection refused"};
  const Finding f = s.finding("network.migration-link");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message == "cannot connect to hostB's migration address 10.0.1.12:22: Connection refused");
  s.link = LinkProbeResult{"10.0.1.12:22", true, 1.5, ""};
  BOOST_TEST(to_string(s.finding("network.migration-link").status) == "pass");
  s.link->connect_ms = 400;
  BOOST_TEST(to_string(s.finding("network.migration-link").status) == "warn");
}

BOOST_AUTO_TEST_CASE(same_segment_compares_subnets) {
  Scenario s;
  s.vm.interfaces[0] = InterfaceFacts{"bridge", "", "", "br0", "", "52:54:00:00:00:02", "virtio"};
  BOOST_TEST(to_string(s.finding("network.same-segment").status) == "pass");  // 10.0.0.11/24 vs .12/24
  s.destination.bridges.value()[0].subnets = {"10.0.7.12/24"};
  const Finding f = s.finding("network.same-segment");
  BOOST_TEST(to_string(f.status) == "warn");
  BOOST_TEST(f.message.find("hostA 10.0.0.0/24, hostB 10.0.7.0/24") != std::string::npos);
  Scenario none;
  none.vm.interfaces.clear();
  BOOST_TEST(to_string(none.finding("network.same-segment").status) == "skip");
}
