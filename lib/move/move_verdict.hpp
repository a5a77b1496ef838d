#pragma once
// What the migrator is allowed to do, as decided by the check (docs/architecture.md: the
// migrator consumes a verdict, it never decides on its own). A reduced form of
// rules/verdict.hpp's Verdict: the kind and the reasons to show on refusal.
#include <string>
#include <vector>

namespace preflight {

// undecided: the check could not decide (a fact it needs is unknown); never moves.
enum class MoveVerdictKind { go, warn, no_go, undecided };

struct MoveVerdict {
  MoveVerdictKind kind = MoveVerdictKind::no_go;  // default: fail closed
  std::vector<std::string> reasons;               // one line per blocking/warning finding
};

std::string to_string(MoveVerdictKind kind);  // "go" | "warn" | "no-go" | "undecided"

}  // namespace preflight
