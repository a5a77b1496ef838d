// preflight rules list | explain ID: the rule catalog.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "rules/rule.hpp"

namespace preflight::cli {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

nlohmann::json rule_json(const Rule& r) {
  return {{"id", r.id},           {"title", r.title},         {"requirements", r.requirements},
          {"severity", to_string(r.severity)}, {"check", r.check}, {"params", r.params},
          {"messages", r.messages}, {"remediation", r.remediation}, {"reference", r.reference},
          {"file", r.file},       {"line", r.line}};
}

void list(const Context& ctx, const std::string& output) {
  const RuleCatalog catalog = load_rule_catalog(ctx.options.rules_dir.empty() ? default_rules_dir() : ctx.options.rules_dir);
  if (output == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : catalog.rules) out.push_back(rule_json(r));
    std::cout << out.dump(2) << "\n";
    return;
  }
  size_t w = 4;
  for (const auto& r : catalog.rules) w = std::max(w, r.id.size());
  std::cout << fmt::format("{:<{}} {:<8} {:<12} {}\n", "RULE", w, "SEVERITY", "REQUIREMENT", "TITLE");
  for (const auto& r : catalog.rules)
    std::cout << fmt::format("{:<{}} {:<8} {:<12} {}\n", r.id, w, to_string(r.severity), join(r.requirements, ","), r.title);
}

void explain(const Context& ctx, const std::string& id, const std::string& output) {
  const RuleCatalog catalog = load_rule_catalog(ctx.options.rules_dir.empty() ? default_rules_dir() : ctx.options.rules_dir);
  const Rule* r = catalog.find(id);
  if (!r)
    throw Error("unknown rule '" + id + "'" + did_you_mean(id, catalog.ids()), "`preflight rules list` shows the rule ids");
  if (output == "json") {
    std::cout << rule_json(*r).dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{}: {}\n", r->id, r->title);
  std::cout << fmt::format("  requirements: {}\n  severity:     {}\n  check:        {}\n", join(r->requirements, ", "),
                           to_string(r->severity), r->check);
  if (!r->params.empty()) std::cout << fmt::format("  params:       {}\n", r->params.dump());
  for (const auto& [variant, text] : r->messages)
    std::cout << fmt::format("  message{}: {}\n", variant == "fired" ? "" : " (" + variant + ")", text);
  std::cout << fmt::format("  remediation:  {}\n  reference:    {}\n  defined in:   {}:{}\n", r->remediation, r->reference,
                           r->file, r->line);
}

}  // namespace

void register_rules(CLI::App& app, Context& ctx) {
  auto* rules = app.add_subcommand("rules", "the rule catalog: list | explain ID");
  rules->require_subcommand(1);
  auto output = std::make_shared<std::string>("text");
  auto* l = rules->add_subcommand("list", "every rule: id, severity, requirement, title");
  l->add_option("-o,--output", *output, "text|json")->check(CLI::IsMember({"text", "json"}));
  l->callback([&ctx, output] { list(ctx, *output); });
  auto id = std::make_shared<std::string>();
  auto* e = rules->add_subcommand("explain", "one rule in full: what it checks, message, remediation, reference");
  e->add_option("ID", *id, "rule id, e.g. storage.shared")->required();
  e->add_option("-o,--output", *output, "text|json")->check(CLI::IsMember({"text", "json"}));
  e->callback([&ctx, id, output] { explain(ctx, *id, *output); });
}

}  // namespace preflight::cli
