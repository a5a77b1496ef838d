#pragma once
// The verdict as JSON, exactly the shape in docs/architecture.md ("Verdict JSON"):
// {schema_version, verdict (go|warn|no-go|undecided), vm, source, destination,
// results[{rule, status, message, evidence,
// remediation, subjects[{kind, name}]}], estimate{total_s, downtime_ms}}. A waived
// finding's message ends with "(waived: <reason>)"; subjects are the finding's
// (rules/subject.hpp), [] when it names none.
#include <string>

#include <nlohmann/json.hpp>

#include "rules/verdict.hpp"

namespace preflight {

nlohmann::json verdict_to_json(const Verdict& v);
std::string render_json(const Verdict& v);  // pretty, newline-terminated

}  // namespace preflight
