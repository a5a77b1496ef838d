#pragma once
// The verdict as a readable table for a terminal: one line per rule, problems
// first, each non-passing finding followed by its remediation. ANSI colour only
// when `color` is true. No line is longer than `width` columns (the terminal's;
// a finding wraps under the FINDING column), except when the table's first two
// columns leave less than 20; lists in a finding show their first items and
// "+N more (-o json lists all)"; the cpu.features fix points to `preflight mask`
// instead of carrying the mask's XML (JSON has it all).
#include <cstddef>
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

std::string render_text(const Verdict& v, bool color, size_t width);

}  // namespace preflight
