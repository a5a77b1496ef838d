#pragma once
// The verdict as JUnit XML: one <testsuite> for the move, one <testcase> per rule
// (classname "preflight.<area>", name the rule id). block is a <failure>, and so is
// warn under `strict` (the failures then agree with exit status 1); error (a fact
// the rule needs is unknown: undecided) is an <error>; the type attribute names the
// status. skip is <skipped> with the reason; pass, waived and warn without `strict`
// pass with the finding (and waiver reason) in <system-out>. The suite's properties
// carry the verdict, strict and the exit status.
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

std::string render_junit(const Verdict& v, bool strict = false);

}  // namespace preflight
