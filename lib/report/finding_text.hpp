#pragma once
// Words every reporter shares.
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

// The finding's message; a waived one ends with "(waived: <reason>)".
std::string finding_message(const Finding& f);

// The verdict as a headline word: "GO", "GO (with warnings)", "NO-GO", "UNDECIDED".
std::string verdict_headline(VerdictKind v);

// "2 block, 1 warn, 18 pass, 3 skip" -- statuses that occur, in severity order.
std::string status_summary(const Verdict& v);

}  // namespace preflight
