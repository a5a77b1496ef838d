// One vocabulary of VM states (facts/vm_state.hpp), one meaning of "active", and
// the migrator's view of the same names (move/domain_state.hpp).
#include <boost/test/unit_test.hpp>

#include "facts/vm_state.hpp"
#include "move/domain_state.hpp"

using namespace preflight;

namespace {

VmFacts in_state(std::string_view state) {
  VmFacts vm;
  vm.name = "vm1";
  vm.state = std::string(state);
  return vm;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_active_vm_is_one_that_holds_memory_and_vcpus) {
  for (auto s : {vm_state::running, vm_state::blocked, vm_state::paused, vm_state::shutdown, vm_state::pmsuspended})
    BOOST_TEST(vm_is_active(in_state(s)), s);
  BOOST_TEST(!vm_is_active(in_state(vm_state::shutoff)));
  BOOST_TEST(!vm_is_active(in_state(vm_state::crashed)));
  // Not knowing the state never frees its memory.
  BOOST_TEST(vm_is_active(in_state(vm_state::unknown)));
  BOOST_TEST(vm_is_active(in_state("")));
}

BOOST_AUTO_TEST_CASE(the_migrator_reads_states_in_the_facts_vocabulary) {
  BOOST_TEST(to_string(DomainState::shutoff) == "shutoff");
  BOOST_TEST(to_string(DomainState::running) == "running");
  BOOST_TEST(to_string(DomainState::paused) == "paused");
  BOOST_TEST(to_string(DomainState::absent) == "absent");
  BOOST_TEST(to_string(DomainState::other) == "other");
  BOOST_TEST((domain_state(vm_state::shutoff) == DomainState::shutoff));
  BOOST_TEST((domain_state(vm_state::running) == DomainState::running));
  BOOST_TEST((domain_state(vm_state::paused) == DomainState::paused));
  for (auto s : {vm_state::blocked, vm_state::shutdown, vm_state::crashed, vm_state::pmsuspended, vm_state::unknown})
    BOOST_TEST((domain_state(s) == DomainState::other), s);
  // Each named state reads back as itself.
  for (auto d : {DomainState::running, DomainState::paused, DomainState::shutoff})
    BOOST_TEST((domain_state(to_string(d)) == d));
}
