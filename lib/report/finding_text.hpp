#pragma once
// Words every reporter shares.
#include <string>

#include "rules/verdict.hpp"

namespace preflight {

// The finding's message; a waived one ends with "(waived: <reason>)".
std::string finding_message(const Finding& f);

// The same for a terminal: a list of more than `max_items` in the message (an
// array in the evidence its rule's template names) shows its first `max_items`
// and "+N more (-o json lists all)"; the rest of the wording is whole. `v` is the
// verdict `f` belongs to (its vm, source and destination fill the template too).
std::string finding_message_brief(const Finding& f, const Verdict& v, size_t max_items);

// The remediation for a terminal: the rule's `remediation_text` when it has one
// (no inline XML), lists shortened as above; empty when `f` has none.
std::string finding_remediation_brief(const Finding& f, const Verdict& v, size_t max_items);

// The verdict as a headline word: "GO", "GO (with warnings)", "NO-GO", "UNDECIDED".
std::string verdict_headline(VerdictKind v);

// "2 block, 1 warn, 18 pass, 3 skip" -- statuses that occur, in severity order.
std::string status_summary(const Verdict& v);

}  // namespace preflight
