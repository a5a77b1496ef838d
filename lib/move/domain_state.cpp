#include "move/domain_state.hpp"

#include "facts/vm_state.hpp"

namespace preflight {

std::string to_string(DomainState state) {
  switch (state) {
    case DomainState::absent: return "absent";
    case DomainState::running: return std::string(vm_state::running);
    case DomainState::paused: return std::string(vm_state::paused);
    case DomainState::shutoff: return std::string(vm_state::shutoff);
    case DomainState::other: return "other";
  }
  return "other";
}

DomainState domain_state(std::string_view facts_state) {
  if (facts_state == vm_state::running) return DomainState::running;
  if (facts_state == vm_state::paused) return DomainState::paused;
  if (facts_state == vm_state::shutoff) return DomainState::shutoff;
  return DomainState::other;
}

}  // namespace preflight
