#pragma once
// `preflight rules` output: the catalog as a table, one rule in full, and both as JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "rules/rule.hpp"

namespace preflight {

// RULE, SEVERITY, REQUIREMENT, TITLE; one line per rule, in catalog order.
std::string render_rules_table(const RuleCatalog& catalog);
// One rule: requirements, severity, check, params, messages, remediation, reference, file:line.
std::string render_rule_text(const Rule& r);
// {id, title, requirements, severity, check, params, messages, remediation, reference, file, line}
nlohmann::json rule_json(const Rule& r);
// {"rules": [rule_json of each rule]}, in catalog order (an object, so that the
// program can add schema_version).
nlohmann::json rules_json(const RuleCatalog& catalog);

}  // namespace preflight
