#pragma once
// `preflight drift` and `preflight whatif` output: text, JSON, and the
// node_exporter textfile format (Prometheus) for alarms from cron.
#include <string>

#include <nlohmann/json.hpp>

#include "rules/impact.hpp"

namespace preflight {

// Per changed host: the facts that changed, the features each CPU mode gains and
// loses (with causes), the models that became (un)usable; then the moves lost,
// gained and undecided with the rule messages that say why.
std::string render_impact_text(const Impact& impact);
// {hosts[{host, facts[{kind, what, before, after}], modes[{mode, gained, lost[{feature,
// cause, detail}], level_before, level_after, unknown}], models[{model, usable_before,
// usable_after, lacking[...]}], notes}], added_hosts, removed_hosts, cpu_map[{model, added,
// removed, only_old, only_new}], guests[{vm, host, model, mode, added, removed}],
// moves[{vm, from_before, from_after, to, before, after, change: lost|gained|undecided|other,
// why_before, why_after}], reach[{vm, host, before, after, undecided_before, undecided_after}],
// summary{lost, gained, undecided}, verdict: ok|lost|undecided}
nlohmann::json impact_json(const Impact& impact);
// preflight_drift_* metrics (see the README "Change impact").
std::string render_impact_prometheus(const Impact& impact);

std::string render_whatif_text(const WhatIf& w);
nlohmann::json whatif_json(const WhatIf& w);
std::string render_whatif_prometheus(const WhatIf& w);

}  // namespace preflight
