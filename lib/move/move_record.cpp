#include "move/move_record.hpp"

namespace preflight {

std::string evacuation_result(const VmPlacement& p, const MoveRecord* rec) {
  if (p.placement != Placement::placed) return to_string(p.placement);
  if (!rec) return "planned";
  if (!rec->started) return "not started";
  return to_string(rec->outcome.result);
}

}  // namespace preflight
