#pragma once
// The verdict as a readable table for a terminal: one line per rule, problems
// first, each non-passing finding followed by its remediation. ANSI colour only
// when `color` is true.
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

std::string render_text(const Verdict& v, bool color);

}  // namespace preflight
