#include "report/impact_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"

namespace preflight {

using nlohmann::json;

namespace {

// Features grouped by cause and detail: "hle rtm: removed by microcode or kernel (TSX is ...)", one per line.
std::vector<std::string> feature_causes(const std::vector<MissingFeature>& lost) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;  // cause text -> names, in first order
  for (const auto& m : lost) {
    const std::string why = std::string(cause_text(m.cause)) + (m.detail.empty() ? "" : " (" + m.detail + ")");
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == why; });
    if (it == groups.end()) groups.push_back({why, {m.name}});
    else it->second.push_back(m.name);
  }
  std::vector<std::string> out;
  for (const auto& [why, names] : groups) out.push_back(join(names, " ") + ": " + why);
  return out;
}

std::vector<std::string> names_of(const std::vector<MissingFeature>& lost) {
  std::vector<std::string> out;
  for (const auto& m : lost) out.push_back(m.name);
  return out;
}

json missing_json(const std::vector<MissingFeature>& lost) {
  json a = json::array();
  for (const auto& m : lost) a.push_back({{"feature", m.name}, {"cause", cause_text(m.cause)}, {"detail", m.detail}});
  return a;
}

std::string change_word(const MoveChange& m) {
  if (m.lost()) return "lost";
  if (m.gained()) return "gained";
  if (m.undecided()) return "undecided";
  return "other";
}

std::string move_phrase(const MoveChange& m) {
  const std::string from = m.from_after.empty() ? m.from_before : m.from_after;
  if (from == m.to) return m.vm + " (re)starting on " + m.to;
  return m.vm + " " + from + " -> " + m.to;
}

std::string or_none(const std::string& s) { return s.empty() ? "(none)" : s; }

std::string prom_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string baseline_line(const PoolBaseline& b) {
  if (!b.error.empty()) return "none (" + b.error + ")";
  return fmt::format("{} ({}, x86-64-v{}, {} features) of {}", or_none(b.model), b.vendor, b.level, b.features.size(),
                     join(b.hosts, ", "));
}

json baseline_json_of(const PoolBaseline& b) {
  return {{"hosts", b.hosts},       {"model", b.model}, {"vendor", b.vendor}, {"level", b.level},
          {"features", b.features}, {"error", b.error}};
}

std::string pool_name(const std::string& p) { return p.empty() ? "(no pool)" : p; }

}  // namespace

std::string render_impact_text(const Impact& im) {
  std::string out;
  if (im.hosts.empty() && im.added_hosts.empty() && im.removed_hosts.empty() && im.cpu_map.empty())
    out += "no host changed what it offers guests\n";
  for (const auto& h : im.hosts) {
    out += "host " + h.host + ":\n";
    for (const auto& f : h.facts) {
      if (f.what == "kernel_flags")
        out += "  kernel    flag " + (f.before.empty() ? f.after + " added" : f.before + " removed") + "\n";
      else if (f.what == "machine_type")
        out += "  hypervisor machine type " + (f.before.empty() ? f.after + " added" : f.before + " removed") + "\n";
      else
        out += fmt::format("  {:<9} {}: {} -> {}\n", f.kind, f.what, or_none(f.before), or_none(f.after));
    }
    for (const auto& m : h.modes) {
      if (!m.unknown.empty()) {
        out += "  " + m.mode + ": cannot compare, " + m.unknown + "\n";
        continue;
      }
      if (!m.lost.empty()) {
        out += "  " + m.mode + " guests lose " + std::to_string(m.lost.size()) + " feature(s):\n";
        for (const auto& line : feature_causes(m.lost)) out += "    " + line + "\n";
      }
      if (!m.gained.empty()) out += "  " + m.mode + " guests gain: " + join(m.gained, " ") + "\n";
      if (m.level_before != m.level_after)
        out += fmt::format("  {} x86-64 level: v{} -> v{}\n", m.mode, m.level_before, m.level_after);
    }
    // Models grouped by what they lack (the causes are those above).
    std::vector<std::pair<std::string, std::vector<std::string>>> unusable;
    std::vector<std::string> usable;
    for (const auto& m : h.models) {
      if (m.usable_after) {
        usable.push_back(m.model);
        continue;
      }
      const std::string lacks = join(names_of(m.lacking), " ");
      auto it = std::find_if(unusable.begin(), unusable.end(), [&](const auto& g) { return g.first == lacks; });
      if (it == unusable.end()) unusable.push_back({lacks, {m.model}});
      else it->second.push_back(m.model);
    }
    for (const auto& [lacks, models] : unusable)
      out += "  models no longer usable (lack " + lacks + "): " + join(models, ", ") + "\n";
    if (!usable.empty()) out += "  models now usable: " + join(usable, ", ") + "\n";
    for (const auto& n : h.notes) out += "  note: " + n + "\n";
  }
  for (const auto& p : im.pools) {
    if (p.before.features == p.after.features && p.before.model == p.after.model && p.before.error == p.after.error)
      continue;
    out += "pool " + (p.pool.empty() ? std::string("(no pool)") : p.pool) + " baseline: " + baseline_line(p.before) +
           "\n  -> " + baseline_line(p.after) + "\n";
    if (!p.features_lost.empty()) out += "  features lost: " + join(p.features_lost, " ") + "\n";
  }
  for (const auto& h : im.added_hosts) out += "host " + h + ": added\n";
  for (const auto& h : im.removed_hosts) out += "host " + h + ": removed\n";
  if (!im.cpu_map.empty()) {
    out += "cpu_map models whose definition changed:\n";
    for (const auto& c : im.cpu_map) {
      if (c.only_old) out += "  " + c.model + ": removed from cpu_map\n";
      else if (c.only_new) out += "  " + c.model + ": new in cpu_map\n";
      else
        out += "  " + c.model + ":" + (c.removed.empty() ? "" : " loses " + join(c.removed, " ")) +
               (c.added.empty() ? "" : " gains " + join(c.added, " ")) + "\n";
    }
  }
  if (!im.guests.empty()) {
    out += "guests that see a different CPU after a restart or a move:\n";
    for (const auto& g : im.guests)
      out += "  " + g.vm + " on " + g.host + " (" + g.mode + (g.model.empty() ? "" : " " + g.model) + ")" +
             (g.removed.empty() ? "" : ": loses " + join(g.removed, " ")) +
             (g.added.empty() ? "" : (g.removed.empty() ? ": gains " : ", gains ") + join(g.added, " ")) + "\n";
  }
  if (im.moves.empty()) {
    out += "no VM's moves changed\n";
  } else {
    out += "moves that changed:\n";
    for (const auto& m : im.moves) {
      out += fmt::format("  {:<9} {}: {} -> {}\n", change_word(m), move_phrase(m), to_string(m.before),
                         to_string(m.after));
      const auto& why = m.after == Mobility::yes ? m.why_before : m.why_after;
      // The first rule that decides; the others (cpu.firmware repeats the causes) are in -o json.
      if (!why.empty())
        out += "            " + why.front() +
               (why.size() > 1 ? " (+" + std::to_string(why.size() - 1) + " more: -o json)" : "") + "\n";
    }
  }
  out += fmt::format("{} move(s) lost, {} gained, {} undecided\n", im.lost(), im.gained(), im.undecided());
  for (const auto& n : im.notes) out += "note: " + n + "\n";
  return out;
}

json impact_json(const Impact& im) {
  json hosts = json::array();
  for (const auto& h : im.hosts) {
    json facts = json::array();
    for (const auto& f : h.facts)
      facts.push_back({{"kind", f.kind}, {"what", f.what}, {"before", f.before}, {"after", f.after}});
    json modes = json::array();
    for (const auto& m : h.modes)
      modes.push_back({{"mode", m.mode},
                       {"gained", m.gained},
                       {"lost", missing_json(m.lost)},
                       {"level_before", m.level_before},
                       {"level_after", m.level_after},
                       {"unknown", m.unknown}});
    json models = json::array();
    for (const auto& m : h.models)
      models.push_back({{"model", m.model},
                        {"usable_before", m.usable_before},
                        {"usable_after", m.usable_after},
                        {"lacking", missing_json(m.lacking)}});
    hosts.push_back({{"host", h.host}, {"facts", facts}, {"modes", modes}, {"models", models}, {"notes", h.notes}});
  }
  json cpu_map = json::array();
  for (const auto& c : im.cpu_map)
    cpu_map.push_back({{"model", c.model},
                       {"added", c.added},
                       {"removed", c.removed},
                       {"only_old", c.only_old},
                       {"only_new", c.only_new}});
  json guests = json::array();
  for (const auto& g : im.guests)
    guests.push_back({{"vm", g.vm},
                      {"host", g.host},
                      {"model", g.model},
                      {"mode", g.mode},
                      {"added", g.added},
                      {"removed", g.removed}});
  json moves = json::array();
  for (const auto& m : im.moves)
    moves.push_back({{"vm", m.vm},
                     {"from_before", m.from_before},
                     {"from_after", m.from_after},
                     {"to", m.to},
                     {"before", to_string(m.before)},
                     {"after", to_string(m.after)},
                     {"change", change_word(m)},
                     {"why_before", m.why_before},
                     {"why_after", m.why_after}});
  json reach = json::array();
  for (const auto& r : im.reach)
    reach.push_back({{"vm", r.vm},
                     {"host", r.host},
                     {"before", r.before},
                     {"after", r.after},
                     {"undecided_before", r.undecided_before},
                     {"undecided_after", r.undecided_after}});
  json pools = json::array();
  for (const auto& p : im.pools)
    pools.push_back({{"pool", p.pool},
                     {"before", baseline_json_of(p.before)},
                     {"after", baseline_json_of(p.after)},
                     {"features_lost", p.features_lost},
                     {"features_gained", p.features_gained}});
  const int status = im.exit_status();
  return {{"hosts", hosts},
          {"added_hosts", im.added_hosts},
          {"removed_hosts", im.removed_hosts},
          {"cpu_map", cpu_map},
          {"guests", guests},
          {"moves", moves},
          {"reach", reach},
          {"pools", pools},
          {"summary", {{"lost", im.lost()}, {"gained", im.gained()}, {"undecided", im.undecided()}}},
          {"verdict", status == 1 ? "lost" : status == 2 ? "undecided" : "ok"},
          {"notes", im.notes}};
}

std::string render_impact_prometheus(const Impact& im) {
  std::string out;
  out += "# HELP preflight_drift_vm_movable_hosts Hosts (other than its own) a VM can move to, after the change.\n";
  out += "# TYPE preflight_drift_vm_movable_hosts gauge\n";
  for (const auto& r : im.reach)
    out += fmt::format("preflight_drift_vm_movable_hosts{{vm=\"{}\",host=\"{}\"}} {}\n", prom_label(r.vm),
                       prom_label(r.host), r.after);
  out += "# HELP preflight_drift_vm_movable_hosts_before Hosts a VM could move to before the change.\n";
  out += "# TYPE preflight_drift_vm_movable_hosts_before gauge\n";
  for (const auto& r : im.reach)
    out += fmt::format("preflight_drift_vm_movable_hosts_before{{vm=\"{}\",host=\"{}\"}} {}\n", prom_label(r.vm),
                       prom_label(r.host), r.before);
  out += "# HELP preflight_drift_vm_undecided_hosts Hosts for which a VM's move cannot be told, after the change.\n";
  out += "# TYPE preflight_drift_vm_undecided_hosts gauge\n";
  for (const auto& r : im.reach)
    out += fmt::format("preflight_drift_vm_undecided_hosts{{vm=\"{}\",host=\"{}\"}} {}\n", prom_label(r.vm),
                       prom_label(r.host), r.undecided_after);
  out += "# HELP preflight_drift_host_features_lost Features a guest of a CPU mode loses on a host.\n";
  out += "# TYPE preflight_drift_host_features_lost gauge\n";
  for (const auto& h : im.hosts)
    for (const auto& m : h.modes)
      if (m.unknown.empty())
        out += fmt::format("preflight_drift_host_features_lost{{host=\"{}\",mode=\"{}\"}} {}\n", prom_label(h.host),
                           prom_label(m.mode), m.lost.size());
  out += "# HELP preflight_drift_host_features_gained Features a guest of a CPU mode gains on a host.\n";
  out += "# TYPE preflight_drift_host_features_gained gauge\n";
  for (const auto& h : im.hosts)
    for (const auto& m : h.modes)
      if (m.unknown.empty())
        out += fmt::format("preflight_drift_host_features_gained{{host=\"{}\",mode=\"{}\"}} {}\n", prom_label(h.host),
                           prom_label(m.mode), m.gained.size());
  out += "# HELP preflight_drift_host_models_lost Named CPU models a host no longer offers guests.\n";
  out += "# TYPE preflight_drift_host_models_lost gauge\n";
  for (const auto& h : im.hosts) {
    size_t n = 0;
    for (const auto& m : h.models) n += m.usable_after ? 0 : 1;
    out += fmt::format("preflight_drift_host_models_lost{{host=\"{}\"}} {}\n", prom_label(h.host), n);
  }
  out += "# HELP preflight_drift_pool_baseline_features Features of a pool's baseline CPU, before and after.\n";
  out += "# TYPE preflight_drift_pool_baseline_features gauge\n";
  for (const auto& p : im.pools) {
    out += fmt::format("preflight_drift_pool_baseline_features{{pool=\"{}\",when=\"before\"}} {}\n", prom_label(p.pool),
                       p.before.features.size());
    out += fmt::format("preflight_drift_pool_baseline_features{{pool=\"{}\",when=\"after\"}} {}\n", prom_label(p.pool),
                       p.after.features.size());
  }
  out += "# HELP preflight_drift_moves Moves whose judgement changed, by change (lost, gained, undecided).\n";
  out += "# TYPE preflight_drift_moves gauge\n";
  out += fmt::format("preflight_drift_moves{{change=\"lost\"}} {}\n", im.lost());
  out += fmt::format("preflight_drift_moves{{change=\"gained\"}} {}\n", im.gained());
  out += fmt::format("preflight_drift_moves{{change=\"undecided\"}} {}\n", im.undecided());
  out += "# HELP preflight_drift_exit_status 0 no VM loses a move, 1 some do, 2 undecided.\n";
  out += "# TYPE preflight_drift_exit_status gauge\n";
  out += fmt::format("preflight_drift_exit_status {}\n", im.exit_status());
  return out;
}

std::string render_whatif_text(const WhatIf& w) {
  std::string out;
  if (!w.added.empty()) out += "add: " + join(w.added, ", ") + "\n";
  if (!w.removed.empty()) out += "remove: " + join(w.removed, ", ") + "\n";
  if (!w.replaced.empty()) out += "replace: " + join(w.replaced, ", ") + "\n";
  for (const auto& p : w.pools) {
    out += "pool " + pool_name(p.pool) + ":\n";
    out += "  baseline before: " + baseline_line(p.before) + "\n";
    out += "  baseline after:  " + baseline_line(p.after) + "\n";
    if (!p.features_lost.empty()) out += "  features lost: " + join(p.features_lost, " ") + "\n";
    if (!p.features_gained.empty()) out += "  features gained: " + join(p.features_gained, " ") + "\n";
    if (p.vms.empty()) out += "  every VM that fitted every host of the pool still does\n";
    for (const auto& v : p.vms) {
      out += "  " + v.vm + " on " + v.host + " would no longer move to " + join(v.cannot_reach, ", ") + "\n";
      for (const auto& y : v.why) out += "      " + y + "\n";
      if (!v.error.empty()) out += "      no mask: " + v.error + "\n";
      else out += "      mask that keeps it movable: " + v.mask + " (its libvirt XML: -o json, mask_libvirt)\n";
    }
    for (const auto& v : p.undecided) out += "  " + v + ": cannot tell whether it fits every host after\n";
  }
  const int s = w.exit_status();
  out += s == 1 ? "verdict: some VMs would lose moves\n" : s == 2 ? "verdict: undecided\n" : "verdict: no VM loses a move\n";
  return out;
}

json whatif_json(const WhatIf& w) {
  json pools = json::array();
  for (const auto& p : w.pools) {
    json vms = json::array();
    for (const auto& v : p.vms)
      vms.push_back({{"vm", v.vm},
                     {"host", v.host},
                     {"cannot_reach", v.cannot_reach},
                     {"why", v.why},
                     {"mask", v.mask},
                     {"mask_libvirt", v.mask_libvirt},
                     {"gives_up", v.gives_up},
                     {"error", v.error}});
    pools.push_back({{"pool", p.pool},
                     {"before", baseline_json_of(p.before)},
                     {"after", baseline_json_of(p.after)},
                     {"features_lost", p.features_lost},
                     {"features_gained", p.features_gained},
                     {"vms", vms},
                     {"undecided", p.undecided}});
  }
  const int s = w.exit_status();
  return {{"added", w.added},
          {"removed", w.removed},
          {"replaced", w.replaced},
          {"pools", pools},
          {"impact", impact_json(w.impact)},
          {"verdict", s == 1 ? "lost" : s == 2 ? "undecided" : "ok"}};
}

std::string render_whatif_prometheus(const WhatIf& w) {
  std::string out;
  out += "# HELP preflight_whatif_pool_baseline_features Features of a pool's baseline CPU, before and after.\n";
  out += "# TYPE preflight_whatif_pool_baseline_features gauge\n";
  for (const auto& p : w.pools) {
    out += fmt::format("preflight_whatif_pool_baseline_features{{pool=\"{}\",when=\"before\"}} {}\n",
                       prom_label(p.pool), p.before.features.size());
    out += fmt::format("preflight_whatif_pool_baseline_features{{pool=\"{}\",when=\"after\"}} {}\n",
                       prom_label(p.pool), p.after.features.size());
  }
  out += "# HELP preflight_whatif_pool_baseline_level x86-64 level of a pool's baseline CPU, before and after.\n";
  out += "# TYPE preflight_whatif_pool_baseline_level gauge\n";
  for (const auto& p : w.pools) {
    out += fmt::format("preflight_whatif_pool_baseline_level{{pool=\"{}\",when=\"before\"}} {}\n", prom_label(p.pool),
                       p.before.level);
    out += fmt::format("preflight_whatif_pool_baseline_level{{pool=\"{}\",when=\"after\"}} {}\n", prom_label(p.pool),
                       p.after.level);
  }
  out += "# HELP preflight_whatif_pool_vms_unfit VMs that would no longer fit every host of a pool.\n";
  out += "# TYPE preflight_whatif_pool_vms_unfit gauge\n";
  for (const auto& p : w.pools)
    out += fmt::format("preflight_whatif_pool_vms_unfit{{pool=\"{}\"}} {}\n", prom_label(p.pool), p.vms.size());
  out += render_impact_prometheus(w.impact);
  return out;
}

}  // namespace preflight
