#include "move/move_verdict.hpp"

namespace preflight {

std::string to_string(MoveVerdictKind kind) {
  switch (kind) {
    case MoveVerdictKind::go: return "go";
    case MoveVerdictKind::warn: return "warn";
    case MoveVerdictKind::no_go: return "no-go";
    case MoveVerdictKind::undecided: return "undecided";
  }
  return "no-go";
}

}  // namespace preflight
