#include "facts/vm_state.hpp"

namespace preflight {

bool vm_is_active(const VmFacts& vm) { return vm.state != vm_state::shutoff && vm.state != vm_state::crashed; }

}  // namespace preflight
