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

void list(const Context& ctx) {
  const RuleCatalog catalog = catalog_of(ctx);
  if (ctx.json()) ctx.print_json(rules_json(catalog));
  else std::cout << render_rules_table(catalog);
}

void explain(const Context& ctx, const std::string& id) {
  const RuleCatalog catalog = catalog_of(ctx);
  const Rule* r = catalog.find(id);
  if (!r)
    throw Error("unknown rule '" + id + "'" + did_you_mean(id, catalog.ids()), "`preflight rules list` shows the rule ids");
  if (ctx.json()) ctx.print_json(rule_json(*r));
  else std::cout << render_rule_text(*r);
}

}  // namespace

void register_rules(CLI::App& app, Context& ctx) {
  auto* rules = app.add_subcommand("rules", "list or explain the rules a check applies");
  rules->require_subcommand(1);
  const std::string exit_status = "Exit status: 0 shown, 2 the rules could not be read (or no such rule).";
  rules->footer(exit_status);
  auto* l = rules->add_subcommand("list", "list the rules and their severities");
  add_output_option(l, ctx, {"text", "json"}, "json is {\"rules\": [...]}, each rule as rules explain -o json");
  l->footer(exit_status);
  l->callback([&ctx] { list(ctx); });
  auto id = std::make_shared<std::string>();
  auto* e = rules->add_subcommand("explain", "explain one rule: its check, messages and fix");
  e->add_option("ID", *id, "rule id, e.g. storage.shared")->required();
  add_output_option(e, ctx, {"text", "json"}, "json gives every field of the rule");
  e->footer(exit_status);
  e->callback([&ctx, id] { explain(ctx, *id); });
}

}  // namespace preflight::cli
