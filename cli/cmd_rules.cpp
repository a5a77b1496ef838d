// preflight rules list | explain ID: the rule catalog.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "report/rules_report.hpp"
#include "rules/rule.hpp"

namespace preflight::cli {
namespace {

RuleCatalog catalog_of(const Context& ctx) {
  return load_rule_catalog(ctx.options.rules_dir.empty() ? default_rules_dir() : ctx.options.rules_dir);
}

void list(const Context& ctx, const std::string& output) {
  const RuleCatalog catalog = catalog_of(ctx);
  if (output == "json") std::cout << rules_json(catalog).dump(2) << "\n";
  else std::cout << render_rules_table(catalog);
}

void explain(const Context& ctx, const std::string& id, const std::string& output) {
  const RuleCatalog catalog = catalog_of(ctx);
  const Rule* r = catalog.find(id);
  if (!r)
    throw Error("unknown rule '" + id + "'" + did_you_mean(id, catalog.ids()), "`preflight rules list` shows the rule ids");
  if (output == "json") std::cout << rule_json(*r).dump(2) << "\n";
  else std::cout << render_rule_text(*r);
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
