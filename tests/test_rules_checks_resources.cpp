// Resource rules on facts built in C++: which VMs already on the destination count
// against its vCPUs is vm_is_active() (facts/vm_state.hpp), not a list of its own.
#include <boost/test/unit_test.hpp>

#include <string_view>

#include "facts/vm_state.hpp"
#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

namespace {

// The scenario's destination (16 CPUs, 4:1 by default: 64 vCPUs) holding one VM of
// 63 vCPUs in `state`; vm1 adds 2.
Scenario destination_with(std::string_view state) {
  Scenario s;
  VmFacts other;
  other.name = "big";
  other.state = std::string(state);
  other.vcpus = 63;
  s.destination.vms.value().push_back(other);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_active_vm_commits_its_vcpus) {
  for (auto state : {vm_state::running, vm_state::paused, vm_state::blocked, vm_state::shutdown, vm_state::pmsuspended,
                     vm_state::unknown}) {
    const Finding f = destination_with(state).finding("resources.cpu");
    BOOST_TEST(to_string(f.status) == "block", state);
    BOOST_TEST(f.evidence["committed_vcpus"] == 63, state);
  }
}

BOOST_AUTO_TEST_CASE(a_stopped_vm_commits_none) {
  for (auto state : {vm_state::shutoff, vm_state::crashed}) {
    const Finding f = destination_with(state).finding("resources.cpu");
    BOOST_TEST(to_string(f.status) == "pass", state);
    BOOST_TEST(f.evidence["committed_vcpus"] == 0, state);
  }
}
