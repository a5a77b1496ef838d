#include "move/evacuation_plan.hpp"

#include <algorithm>

namespace preflight {

std::string to_string(Placement p) {
  switch (p) {
    case Placement::placed: return "placed";
    case Placement::unplaced: return "unplaced";
    case Placement::skipped: return "skipped";
  }
  return "unplaced";
}

bool VmPlacement::undecided() const {
  if (placement != Placement::unplaced) return false;
  return std::any_of(candidates.begin(), candidates.end(), [](const CandidateResult& c) { return c.check.undecided; });
}

}  // namespace preflight
