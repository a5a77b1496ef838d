#pragma once
// The verdict as JUnit XML: one <testsuite> for the move, one <testcase> per rule
// (classname "preflight.<area>", name the rule id). block and error are <failure>
// (type says which), skip is <skipped> with the reason, warn and waived pass with
// the finding (and waiver reason) in <system-out>.
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

std::string render_junit(const Verdict& v);

}  // namespace preflight
