#include "report/rules_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"

namespace preflight {

nlohmann::json rule_json(const Rule& r) {
  return {{"id", r.id},           {"title", r.title},         {"requirements", r.requirements},
          {"severity", to_string(r.severity)}, {"check", r.check}, {"params", r.params},
          {"messages", r.messages}, {"remediation", r.remediation}, {"reference", r.reference},
          {"remediations", r.remediations}, {"file", r.file},       {"line", r.line}};
}

nlohmann::json rules_json(const RuleCatalog& catalog) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : catalog.rules) rules.push_back(rule_json(r));
  return {{"rules", rules}};
}

std::string render_rules_table(const RuleCatalog& catalog) {
  size_t w = 4;
  for (const auto& r : catalog.rules) w = std::max(w, r.id.size());
  std::string out = fmt::format("{:<{}} {:<8} {:<12} {}\n", "RULE", w, "SEVERITY", "REQUIREMENT", "TITLE");
  for (const auto& r : catalog.rules)
    out += fmt::format("{:<{}} {:<8} {:<12} {}\n", r.id, w, to_string(r.severity), join(r.requirements, ","), r.title);
  return out;
}

std::string render_rule_text(const Rule& r) {
  std::string out = fmt::format("{}: {}\n", r.id, r.title);
  out += fmt::format("  requirements: {}\n  severity:     {}\n  check:        {}\n", join(r.requirements, ", "),
                     to_string(r.severity), r.check);
  if (!r.params.empty()) out += fmt::format("  params:       {}\n", r.params.dump());
  for (const auto& [variant, text] : r.messages)
    out += fmt::format("  message{}: {}\n", variant == "fired" ? "" : " (" + variant + ")", text);
  out += fmt::format("  remediation:  {}\n", r.remediation);
  for (const auto& [variant, text] : r.remediations) out += fmt::format("  remediation ({}): {}\n", variant, text);
  out += fmt::format("  reference:    {}\n  defined in:   {}:{}\n", r.reference, r.file, r.line);
  return out;
}

}  // namespace preflight
