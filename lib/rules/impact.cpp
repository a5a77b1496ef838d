#include "rules/impact.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_format.hpp"
#include "cpu/cpu_level.hpp"
#include "cpu/firmware_switch.hpp"
#include "cpu/host_cpu.hpp"
#include "cpu/offered_cpu.hpp"
#include "facts/vm_state.hpp"
#include "rules/engine.hpp"

namespace preflight {

const char* to_string(Mobility m) {
  switch (m) {
    case Mobility::yes: return "yes";
    case Mobility::no: return "no";
    case Mobility::undecided: return "undecided";
    case Mobility::absent: return "absent";
  }
  return "";
}

size_t Impact::lost() const {
  return static_cast<size_t>(std::count_if(moves.begin(), moves.end(), [](const MoveChange& m) { return m.lost(); }));
}
size_t Impact::gained() const {
  return static_cast<size_t>(std::count_if(moves.begin(), moves.end(), [](const MoveChange& m) { return m.gained(); }));
}
size_t Impact::undecided() const {
  return static_cast<size_t>(
      std::count_if(moves.begin(), moves.end(), [](const MoveChange& m) { return m.after == Mobility::undecided; }));
}
int Impact::exit_status() const {
  if (lost() > 0) return 1;
  if (undecided() > 0) return 2;
  return 0;
}

RuleCatalog cpu_rules_of(const RuleCatalog& rules) {
  RuleCatalog out;
  for (const auto& r : rules.rules)
    if (r.id.starts_with("cpu.")) out.rules.push_back(r);
  if (out.rules.empty())
    throw Error("the rule catalog has no cpu.* rule: a change's impact on moves cannot be judged",
                "use the rules shipped with preflight (drop --rules), or add rules/cpu.yaml to your folder");
  return out;
}

Mobility judge_mobility(const VmFacts& vm, const HostFacts& source, const HostFacts& destination,
                        const RuleCatalog& cpu_rules, const Policy& policy, const CpuCatalog& catalog,
                        std::chrono::year_month_day today, std::vector<std::string>* why) {
  const CheckRequest req{source, destination, vm, policy, std::nullopt, today, &catalog, {}};
  const Verdict v = evaluate(cpu_rules, req);
  Mobility m = Mobility::yes;
  if (v.verdict == VerdictKind::no_go) m = Mobility::no;
  else if (v.verdict == VerdictKind::undecided) m = Mobility::undecided;
  if (why)
    for (const auto& f : v.results)
      if (f.status == Status::block || (m == Mobility::undecided && f.status == Status::error))
        why->push_back(f.rule + ": " + f.message);
  return m;
}

namespace {

using Names = std::set<std::string>;

Names names_of(const CpuFeatureSet& s, const CpuCatalog& cat) {
  const auto v = cat.names(s);
  return Names(v.begin(), v.end());
}

std::vector<std::string> minus(const Names& a, const Names& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

template <class T>
std::string show(const Fact<T>& f) {
  if (!f.known()) return "unknown";
  if constexpr (std::is_same_v<T, bool>) return f.value() ? "on" : "off";
  else if constexpr (std::is_same_v<T, std::string>) return f.value();
  else return fmt::format("{}", f.value());
}

void fact_change(std::vector<FactChange>& out, const std::string& kind, const std::string& what, const std::string& a,
                 const std::string& b) {
  if (a != b) out.push_back({kind, what, a, b});
}

// The differences of the facts that decide what guests get.
std::vector<FactChange> fact_changes(const HostFacts& a, const HostFacts& b) {
  std::vector<FactChange> out;
  fact_change(out, "microcode", "cpu.microcode", show(a.cpu.microcode), show(b.cpu.microcode));
  auto sig = [](const CpuFacts& c) { return show(c.family) + "/" + show(c.model) + "/" + show(c.stepping); };
  fact_change(out, "cpu", "cpu.signature", sig(a.cpu), sig(b.cpu));
  fact_change(out, "cpu", "cpu.vendor", show(a.cpu.vendor), show(b.cpu.vendor));
  auto model = [](const CpuFacts& c) { return c.libvirt_cpu.known() ? c.libvirt_cpu.value().model : "unknown"; };
  fact_change(out, "cpu", "cpu.libvirt_cpu.model", model(a.cpu), model(b.cpu));
  const auto& fa = a.firmware;
  const auto& fb = b.firmware;
  fact_change(out, "firmware", "firmware.virtualization", show(fa.virtualization), show(fb.virtualization));
  fact_change(out, "firmware", "firmware.nx", show(fa.nx), show(fb.nx));
  fact_change(out, "firmware", "firmware.aes", show(fa.aes), show(fb.aes));
  fact_change(out, "firmware", "firmware.x2apic", show(fa.x2apic), show(fb.x2apic));
  fact_change(out, "firmware", "firmware.sgx", show(fa.sgx), show(fb.sgx));
  fact_change(out, "firmware", "firmware.smt", show(fa.smt), show(fb.smt));
  fact_change(out, "firmware", "firmware.iommu", show(fa.iommu), show(fb.iommu));
  fact_change(out, "microcode", "firmware.tsx", show(fa.tsx), show(fb.tsx));
  // The kernel: its mitigations (vulnerabilities), its flags, the MSRs KVM offers.
  const auto* va = fa.vulnerabilities.get();
  const auto* vb = fb.vulnerabilities.get();
  if (va && vb) {
    std::set<std::string> keys;
    for (const auto& [k, v] : *va) keys.insert(k);
    for (const auto& [k, v] : *vb) keys.insert(k);
    for (const auto& k : keys) {
      auto get = [&](const std::map<std::string, std::string>& m) {
        auto it = m.find(k);
        return it == m.end() ? std::string("absent") : it->second;
      };
      fact_change(out, "kernel", "vulnerabilities." + k, get(*va), get(*vb));
    }
  } else if (!va != !vb) {
    fact_change(out, "kernel", "vulnerabilities", va ? "known" : "unknown", vb ? "known" : "unknown");
  }
  const auto* ka = a.cpu.kernel_flags.get();
  const auto* kb = b.cpu.kernel_flags.get();
  if (ka && kb) {
    const Names sa(ka->begin(), ka->end()), sb(kb->begin(), kb->end());
    for (const auto& f : minus(sa, sb)) out.push_back({"kernel", "kernel_flags", f, ""});
    for (const auto& f : minus(sb, sa)) out.push_back({"kernel", "kernel_flags", "", f});
  }
  const auto* ma = a.cpu.msrs.get();
  const auto* mb = b.cpu.msrs.get();
  auto msr_text = [](const std::vector<MsrValue>* m, uint32_t index) {
    if (!m) return std::string("unknown");
    for (const auto& v : *m)
      if (v.index == index) return fmt::format("{:#018x}", v.value);
    return std::string("absent");
  };
  std::set<uint32_t> indexes;
  for (const auto* m : {ma, mb})
    if (m)
      for (const auto& v : *m) indexes.insert(v.index);
  for (uint32_t i : indexes)
    fact_change(out, "kernel", fmt::format("msr {:#x}", i), msr_text(ma, i), msr_text(mb, i));
  const auto& ha = a.hypervisor;
  const auto& hb = b.hypervisor;
  fact_change(out, "hypervisor", "hypervisor.libvirt_version", show(ha.libvirt_version), show(hb.libvirt_version));
  fact_change(out, "hypervisor", "hypervisor.hypervisor_version", show(ha.hypervisor_version),
              show(hb.hypervisor_version));
  fact_change(out, "hypervisor", "hypervisor.driver", show(ha.driver), show(hb.driver));
  // Machine types a guest's <os><type machine=...> may name: one gone refuses it.
  if (const auto *ma = ha.machine_types.get(), *mb = hb.machine_types.get(); ma && mb) {
    const Names sa(ma->begin(), ma->end()), sb(mb->begin(), mb->end());
    for (const auto& m : minus(sa, sb)) out.push_back({"hypervisor", "machine_type", m, ""});
    for (const auto& m : minus(sb, sa)) out.push_back({"hypervisor", "machine_type", "", m});
  }
  return out;
}

// The features lost, each with its cause on the host after: a feature the bare CPU
// still has is "not offered"; the rest as the CPU comparison explains them.
// Speculation controls and other features the kernel (KVM) decides to offer.
constexpr const char* kKernelFeatures[] = {"md-clear", "spec-ctrl", "stibp", "ssbd", "arch-capabilities", "flush-l1d",
                                           "fb-clear", "tsx-ctrl", "taa-no", "mds-no", "rdctl-no", "skip-l1dfl-vmentry",
                                           "pschange-mc-no", "ibrs", "ibpb", "virt-ssbd", "amd-ssbd", "amd-stibp"};

// What the comparison of the host with itself cannot tell, the change of its
// facts can: a firmware switch turned off, the kernel's mitigations changed.
void attribute_by_change(MissingFeature& m, const HostFacts& before, const HostFacts& after, const CpuCatalog& cat) {
  if (m.cause != MissingCause::unknown && m.cause != MissingCause::absent_in_silicon &&
      m.cause != MissingCause::not_offered)
    return;
  // A firmware switch takes what the CPU reports: not what it still has and KVM stops offering.
  for (const FirmwareSwitch& sw : firmware_switches()) {
    if (std::none_of(sw.features.begin(), sw.features.end(), [&](const char* f) { return m.name == f; })) continue;
    const Fact<bool>& a = before.firmware.*(sw.fact);
    const Fact<bool>& b = after.firmware.*(sw.fact);
    if (m.cause != MissingCause::not_offered && b.known() && !b.value() && (!a.known() || a.value())) {
      m.cause = MissingCause::disabled_by_firmware;
      m.detail = sw.setting + std::string(" was switched off in the firmware of '") + after.name +
                 "' (it was " + (a.known() ? "on" : "unknown") + "): enable it in the BIOS/UEFI setup";
      return;
    }
  }
  const auto id = cat.find_feature(m.name);
  const bool kernel_feature = std::any_of(std::begin(kKernelFeatures), std::end(kKernelFeatures),
                                          [&](const char* f) { return m.name == f; }) ||
                              (id && cat.features()[*id].is_msr);
  if (!kernel_feature) return;
  std::vector<std::string> changes;
  if (!(before.cpu.microcode == after.cpu.microcode))
    changes.push_back("microcode " + show(before.cpu.microcode) + " -> " + show(after.cpu.microcode));
  const auto* va = before.firmware.vulnerabilities.get();
  const auto* vb = after.firmware.vulnerabilities.get();
  if (va && vb)
    for (const auto& [k, v] : *vb) {
      auto it = va->find(k);
      if (it == va->end() || it->second != v) changes.push_back(k + ": " + v);
    }
  if (!(before.cpu.kernel_flags == after.cpu.kernel_flags)) changes.push_back("kernel flags changed");
  if (changes.empty()) return;
  m.cause = MissingCause::removed_by_microcode_or_kernel;
  m.detail = "the microcode or kernel of '" + after.name + "' changed (" + join(changes, "; ") +
             "): it no longer offers this speculation control";
}

std::vector<MissingFeature> explain_lost(const std::vector<std::string>& lost, const HostFacts& before,
                                         const HostFacts& after, const HostCpu* before_cpu, const CpuCatalog& cat) {
  std::vector<MissingFeature> out;
  CpuFeatureSet set;
  std::vector<std::string> not_in_catalog;
  for (const auto& n : lost) {
    if (auto id = cat.find_feature(n)) set.set(*id);
    else not_in_catalog.push_back(n);
  }
  std::optional<HostCpu> bare;
  try {
    bare = resolve_host_cpu(after, cat);
  } catch (const Error&) {
  }
  if (bare) {
    const auto explained = explain_missing(set - bare->features, *bare, after, before_cpu, cat);
    out.insert(out.end(), explained.begin(), explained.end());
    (set & bare->features).for_each([&](size_t id) {
      out.push_back({cat.features()[id].name, MissingCause::not_offered,
                     "the CPU of " + after.name + " has it, its hypervisor no longer offers it"});
    });
  } else {
    set.for_each([&](size_t id) {
      out.push_back({cat.features()[id].name, MissingCause::unknown, "the CPU of " + after.name + " is unknown"});
    });
  }
  for (const auto& n : not_in_catalog)
    out.push_back({n, MissingCause::unknown, "not in the current cpu_map (the feature was removed from it)"});
  for (auto& m : out) attribute_by_change(m, before, after, cat);
  std::sort(out.begin(), out.end(), [](const MissingFeature& x, const MissingFeature& y) { return x.name < y.name; });
  return out;
}

struct World {
  const HostFacts& host;
  const CpuCatalog& cat;
};

// What a host-model (kvm) guest gets: the offer, else unknown.
std::optional<CpuFeatureSet> host_model_set(const HostFacts& h, const CpuCatalog& cat, std::string& why) {
  try {
    const Fact<OfferedCpu> o = offered_cpu(h, "kvm", cat);
    if (!o.known()) {
      why = o.reason();
      return std::nullopt;
    }
    return o.value().cpu.features - cat.non_migratable() - hypervisor_bit(cat);
  } catch (const Error& e) {
    why = e.what();
    return std::nullopt;
  }
}

std::optional<HostCpu> bare_cpu(const HostFacts& h, const CpuCatalog& cat, std::string& why) {
  try {
    return resolve_host_cpu(h, cat);
  } catch (const Error& e) {
    why = e.what();
    return std::nullopt;
  }
}

void mode_change(HostImpact& hi, const std::string& mode, const std::optional<CpuFeatureSet>& a, const std::string& why_a,
                 const std::optional<CpuFeatureSet>& b, const std::string& why_b, const HostFacts& before, const HostFacts& after,
                 const HostCpu* before_cpu, const CpuCatalog& cat_a, const CpuCatalog& cat_b) {
  ModeChange mc;
  mc.mode = mode;
  if (!a || !b) {
    if (!a && !b) return;  // unknown in both: nothing to compare, nothing changed that is known
    mc.unknown = !a ? "before: " + why_a : "after: " + why_b;
    hi.modes.push_back(mc);
    return;
  }
  const Names na = names_of(*a, cat_a), nb = names_of(*b, cat_b);
  mc.gained = minus(nb, na);
  mc.lost = explain_lost(minus(na, nb), before, after, before_cpu, cat_b);
  mc.level_before = x86_64_level(*a, cat_a);
  mc.level_after = x86_64_level(*b, cat_b);
  if (!mc.gained.empty() || !mc.lost.empty() || mc.level_before != mc.level_after) hi.modes.push_back(mc);
}

// The models of the host's vendor a guest could use (every feature offered).
std::map<std::string, bool> usable_models(const CpuFeatureSet& offer, int vendor, const CpuCatalog& cat) {
  std::map<std::string, bool> out;
  for (const auto& m : cat.models()) {
    if (!m.decode_guest) continue;
    if (m.vendor >= 0 && vendor >= 0 && m.vendor != vendor) continue;
    out[m.name] = (m.features - cat.non_migratable() - hypervisor_bit(cat)).subset_of(offer);
  }
  return out;
}

HostImpact host_impact(const HostFacts& a, const HostFacts& b, const CpuCatalog& cat_a, const CpuCatalog& cat_b) {
  HostImpact hi;
  hi.host = b.name;
  hi.facts = fact_changes(a, b);
  std::string why_a, why_b, hw_a, hw_b;
  const auto bare_a = bare_cpu(a, cat_a, why_a);
  const auto bare_b = bare_cpu(b, cat_b, why_b);
  // The before CPU in the after catalog, for microcode comparisons of explain_missing.
  std::string ignored;
  const auto bare_a_in_b = bare_cpu(a, cat_b, ignored);
  const HostCpu* before_cpu = bare_a_in_b ? &*bare_a_in_b : nullptr;
  const auto hm_a = host_model_set(a, cat_a, hw_a);
  const auto hm_b = host_model_set(b, cat_b, hw_b);
  mode_change(hi, "host-model (kvm)", hm_a, hw_a, hm_b, hw_b, a, b, before_cpu, cat_a, cat_b);
  mode_change(hi, "host-passthrough",
              bare_a ? std::optional<CpuFeatureSet>(bare_a->features - hypervisor_bit(cat_a)) : std::nullopt, why_a,
              bare_b ? std::optional<CpuFeatureSet>(bare_b->features - hypervisor_bit(cat_b)) : std::nullopt, why_b, a, b,
              before_cpu, cat_a, cat_b);
  if (hm_a && hm_b) {
    const int va = bare_a ? bare_a->vendor : -1;
    const int vb = bare_b ? bare_b->vendor : -1;
    const auto ua = usable_models(*hm_a, va, cat_a);
    const auto ub = usable_models(*hm_b, vb, cat_b);
    for (const auto& [name, usable] : ub) {
      auto it = ua.find(name);
      if (it == ua.end() || it->second == usable) continue;
      ModelChange mc{name, it->second, usable, {}};
      if (!usable) {
        const CpuModel& m = cat_b.model(name);
        mc.lacking = explain_lost(cat_b.names((m.features - cat_b.non_migratable() - hypervisor_bit(cat_b)) - *hm_b),
                                  a, b, before_cpu, cat_b);
      }
      hi.models.push_back(std::move(mc));
    }
  } else if (hm_a.has_value() != hm_b.has_value()) {
    hi.notes.push_back("named models not compared: what " + b.name + " offers kvm guests is unknown " +
                       (hm_a ? "after (" + hw_b + ")" : "before (" + hw_a + ")"));
  }
  return hi;
}

bool same_guest_view(const HostFacts& a, const HostFacts& b) {
  return a.cpu == b.cpu && a.firmware == b.firmware && a.hypervisor == b.hypervisor && a.offers == b.offers &&
         a.arch == b.arch;
}

struct Located {
  const HostFacts* host = nullptr;
  const VmFacts* vm = nullptr;
};

// Each VM of `world` by name. A name defined on several hosts (the shut-off
// definition a move leaves on its source, a copy) is the one that is active (not
// shut off or crashed: running, paused...), else the first in host order; `notes`,
// when given, says which was taken (`when`: "before" or "after").
std::map<std::string, Located> vms_of(const std::vector<HostFacts>& world, const char* when = "",
                                      std::vector<std::string>* notes = nullptr) {
  std::map<std::string, Located> out;
  std::map<std::string, std::vector<Located>> all;
  for (const auto& h : world)
    if (const auto* vms = h.vms.get())
      for (const auto& v : *vms) all[v.name].push_back(Located{&h, &v});
  for (auto& [name, found] : all) {
    const auto active = std::find_if(found.begin(), found.end(), [](const Located& l) { return vm_is_active(*l.vm); });
    const Located taken = active != found.end() ? *active : found.front();
    out.emplace(name, taken);
    if (found.size() < 2 || !notes) continue;
    std::vector<std::string> hosts;
    size_t running = 0;
    for (const Located& l : found) {
      hosts.push_back(l.host->name);
      running += vm_is_active(*l.vm);
    }
    notes->push_back(fmt::format("VM '{}' is defined on {} ({}): judged as the one on {}{}", name, join(hosts, ", "),
                                 when, taken.host->name,
                                 running == 1   ? ", where it is active"
                                 : running == 0 ? " (it is active on none; the first)"
                                                : fmt::format(" (it is active on {}; the first of them)", running)));
  }
  return out;
}

const HostFacts* host_named(const std::vector<HostFacts>& world, const std::string& name) {
  for (const auto& h : world)
    if (h.name == name) return &h;
  return nullptr;
}

std::vector<std::string> model_names(const CpuModel& m, const CpuCatalog& cat) { return cat.names(m.features); }

PoolBaseline pool_baseline(const std::vector<const HostFacts*>& hosts, const CpuCatalog& cat) {
  PoolBaseline pb;
  std::vector<BaselineInput> inputs;
  for (const auto* h : hosts) {
    pb.hosts.push_back(h->name);
    try {
      inputs.push_back(baseline_input(resolve_host_cpu(*h, cat)));
    } catch (const Error& e) {
      pb.error = e.what();
      return pb;
    }
  }
  if (inputs.empty()) {
    pb.error = "no host";
    return pb;
  }
  try {
    const Baseline b = compute_baseline(inputs, cat, true);
    pb.model = b.cpu.model ? b.cpu.model->name : "";
    pb.vendor = b.cpu.vendor >= 0 ? cat.vendors()[static_cast<size_t>(b.cpu.vendor)].name : "";
    pb.level = b.level;
    pb.features = cat.names(b.features);
  } catch (const Error& e) {
    pb.error = e.what();
  }
  return pb;
}

std::vector<const HostFacts*> in_pool(const std::vector<HostFacts>& world, const std::string& pool) {
  std::vector<const HostFacts*> out;
  for (const auto& h : world)
    if (h.pool_membership == pool) out.push_back(&h);
  return out;
}

}  // namespace

Impact compute_impact(const std::vector<HostFacts>& before, const std::vector<HostFacts>& after,
                      const ImpactSetup& setup) {
  Impact out;
  const CpuCatalog& cat_b = setup.catalog;
  const CpuCatalog& cat_a = setup.old_catalog ? *setup.old_catalog : setup.catalog;
  const bool maps_differ = setup.old_catalog != nullptr;
  const RuleCatalog rules = cpu_rules_of(setup.rules);

  std::set<std::string> changed;  // hosts whose guest view changed
  for (const auto& b : after) {
    const HostFacts* a = host_named(before, b.name);
    if (!a) {
      out.added_hosts.push_back(b.name);
      changed.insert(b.name);
      continue;
    }
    if (!same_guest_view(*a, b) || maps_differ) {
      HostImpact hi = host_impact(*a, b, cat_a, cat_b);
      changed.insert(b.name);
      if (hi.changed() || !hi.notes.empty()) out.hosts.push_back(std::move(hi));
    }
  }
  for (const auto& a : before)
    if (!host_named(after, a.name)) {
      out.removed_hosts.push_back(a.name);
      changed.insert(a.name);
    }

  if (maps_differ) {
    for (const auto& m : cat_a.models()) {
      const CpuModel* n = cat_b.find_model(m.name);
      if (!n) {
        out.cpu_map.push_back({m.name, {}, {}, true, false});
        continue;
      }
      const auto na = model_names(m, cat_a), nb = model_names(*n, cat_b);
      const Names sa(na.begin(), na.end()), sb(nb.begin(), nb.end());
      ModelDefinitionChange c{m.name, minus(sb, sa), minus(sa, sb), false, false};
      if (!c.added.empty() || !c.removed.empty()) out.cpu_map.push_back(std::move(c));
    }
    for (const auto& n : cat_b.models())
      if (!cat_a.find_model(n.name)) out.cpu_map.push_back({n.name, {}, {}, false, true});
    // Guests naming a changed model (custom) or expanded to one (host-model, running).
    for (const auto& h : after)
      if (const auto* vms = h.vms.get())
        for (const auto& v : *vms) {
          if (!v.has_cpu || v.cpu.model.empty()) continue;
          const std::string mode = v.cpu.mode.empty() ? "custom" : v.cpu.mode;
          if (mode == "host-passthrough" || mode == "maximum") continue;
          for (const auto& c : out.cpu_map)
            if (c.model == v.cpu.model && !c.only_new)
              out.guests.push_back({v.name, h.name, c.model, mode, c.added, c.removed});
        }
  }

  // Guests that take their CPU from the host (host-model, host-passthrough) see the
  // host's new CPU at their next start there.
  for (const auto& hi : out.hosts) {
    const HostFacts* h = host_named(after, hi.host);
    const auto* vms = h ? h->vms.get() : nullptr;
    if (!vms) continue;
    for (const auto& mc : hi.modes) {
      if (!mc.unknown.empty() || (mc.gained.empty() && mc.lost.empty())) continue;
      const std::string mode = mc.mode.starts_with("host-model") ? "host-model" : "host-passthrough";
      std::vector<std::string> removed;
      for (const auto& m : mc.lost) removed.push_back(m.name);
      for (const auto& v : *vms)
        if (v.has_cpu && (v.cpu.mode == mode || (mode == "host-passthrough" && v.cpu.mode == "maximum")))
          out.guests.push_back({v.name, h->name, "", v.cpu.mode, mc.gained, removed});
    }
  }

  // The baselines of the pools the change touches.
  std::set<std::string> pools;
  for (const auto& n : changed) {
    if (const HostFacts* h = host_named(after, n)) pools.insert(h->pool_membership);
    if (const HostFacts* h = host_named(before, n)) pools.insert(h->pool_membership);
  }
  for (const auto& p : pools) {
    PoolDrift pd{p, pool_baseline(in_pool(before, p), cat_a), pool_baseline(in_pool(after, p), cat_b), {}, {}};
    const Names fa(pd.before.features.begin(), pd.before.features.end());
    const Names fb(pd.after.features.begin(), pd.after.features.end());
    if (pd.before.error.empty() && pd.after.error.empty()) {
      pd.features_lost = minus(fa, fb);
      pd.features_gained = minus(fb, fa);
    }
    out.pools.push_back(std::move(pd));
  }

  const auto vms_a = vms_of(before, "before", &out.notes);
  const auto vms_b = vms_of(after, "after", &out.notes);
  std::set<std::string> vm_names;
  for (const auto& [n, l] : vms_a) vm_names.insert(n);
  for (const auto& [n, l] : vms_b) vm_names.insert(n);
  std::set<std::string> host_names;
  for (const auto& h : after) host_names.insert(h.name);
  for (const auto& h : before) host_names.insert(h.name);

  // Hosts of the world before with the same guest view answer a VM alike: a move
  // that the change does not touch is judged once per class of destinations (not
  // with waivers, which may name hosts). Only the counts of `reach` use these.
  std::map<std::string, size_t> class_of;
  {
    std::vector<const HostFacts*> reps;
    for (const auto& h : before) {
      size_t c = 0;
      while (c < reps.size() && !same_guest_view(*reps[c], h)) ++c;
      if (c == reps.size()) reps.push_back(&h);
      class_of[h.name] = c;
    }
  }
  const bool cache = setup.policy.waivers.empty();

  std::unordered_map<std::string, const HostFacts*> index_a, index_b;
  for (const auto& h : before) index_a.emplace(h.name, &h);
  for (const auto& h : after) index_b.emplace(h.name, &h);
  auto find_in = [](const std::unordered_map<std::string, const HostFacts*>& index, const std::string& name) {
    auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
  };

  for (const auto& vm : vm_names) {
    std::map<size_t, Mobility> judged_class;  // this VM, unchanged moves: destination class -> mobility
    const auto ia = vms_a.find(vm);
    const auto ib = vms_b.find(vm);
    const Located la = ia == vms_a.end() ? Located{} : ia->second;
    const Located lb = ib == vms_b.end() ? Located{} : ib->second;
    const bool vm_changed = !la.vm || !lb.vm || !(*la.vm == *lb.vm) || la.host->name != lb.host->name;
    VmReach reach{vm, lb.host ? lb.host->name : la.host->name, 0, 0, 0, 0};
    const bool source_changed = maps_differ || vm_changed || (la.host && changed.count(la.host->name)) ||
                                (lb.host && changed.count(lb.host->name));
    for (const auto& to : host_names) {
      const HostFacts* da = find_in(index_a, to);
      const HostFacts* db = find_in(index_b, to);
      const bool relevant = source_changed || changed.count(to);
      MoveChange mc;
      mc.vm = vm;
      mc.to = to;
      mc.from_before = la.host ? la.host->name : "";
      mc.from_after = lb.host ? lb.host->name : "";
      // On its own host the question is whether it starts there again (a restart,
      // a reboot of the host): judged as the VM shut off.
      auto judged = [&](const Located& l) {
        VmFacts v = *l.vm;
        if (l.host->name == to) v.state = "shutoff";
        return v;
      };
      const bool cached = cache && !relevant && la.vm && da && la.host->name != to;
      if (cached) {
        const size_t c = class_of.at(to);
        auto it = judged_class.find(c);
        if (it == judged_class.end())
          it = judged_class.emplace(c, judge_mobility(*la.vm, *la.host, *da, rules, setup.policy, cat_a, setup.today,
                                                      nullptr)).first;
        mc.before = it->second;
      } else if (la.vm && da) {
        mc.before = judge_mobility(judged(la), *la.host, *da, rules, setup.policy, cat_a, setup.today, &mc.why_before);
      }
      if (!relevant) {
        mc.after = mc.before;
        mc.why_after = mc.why_before;
      } else if (lb.vm && db) {
        mc.after = judge_mobility(judged(lb), *lb.host, *db, rules, setup.policy, cat_b, setup.today, &mc.why_after);
      }
      const bool own_a = la.host && la.host->name == to;
      const bool own_b = lb.host && lb.host->name == to;
      if (!own_a && mc.before == Mobility::yes) ++reach.before;
      if (!own_a && mc.before == Mobility::undecided) ++reach.undecided_before;
      if (!own_b && mc.after == Mobility::yes) ++reach.after;
      if (!own_b && mc.after == Mobility::undecided) ++reach.undecided_after;
      if (relevant && mc.before != mc.after && mc.before != Mobility::absent && mc.after != Mobility::absent)
        out.moves.push_back(std::move(mc));
    }
    out.reach.push_back(reach);
  }
  std::stable_sort(out.moves.begin(), out.moves.end(), [](const MoveChange& x, const MoveChange& y) {
    auto rank = [](const MoveChange& m) { return m.lost() ? 0 : m.undecided() ? 1 : 2; };
    return rank(x) < rank(y);
  });
  return out;
}

int WhatIf::exit_status() const {
  for (const auto& p : pools)
    if (!p.vms.empty()) return 1;
  for (const auto& p : pools)
    if (!p.undecided.empty() || !p.after.error.empty()) return 2;
  return 0;
}

namespace {

}  // namespace

WhatIf compute_whatif(const std::vector<HostFacts>& before, const std::vector<HostFacts>& after,
                      const std::string& pool, const ImpactSetup& setup) {
  WhatIf w;
  w.impact = compute_impact(before, after, setup);
  w.added = w.impact.added_hosts;
  w.removed = w.impact.removed_hosts;
  for (const auto& h : w.impact.hosts) w.replaced.push_back(h.host);
  const CpuCatalog& cat = setup.catalog;
  const RuleCatalog rules = cpu_rules_of(setup.rules);

  std::set<std::string> pools;
  if (!pool.empty()) {
    pools.insert(pool);
  } else {
    auto touched = [&](const std::vector<HostFacts>& world, const std::string& name) {
      if (const HostFacts* h = host_named(world, name)) pools.insert(h->pool_membership);
    };
    for (const auto& n : w.added) touched(after, n);
    for (const auto& n : w.removed) touched(before, n);
    for (const auto& n : w.replaced) touched(after, n), touched(before, n);
  }
  const auto taken_before = vms_of(before);
  const auto taken_after = vms_of(after);
  for (const auto& p : pools) {
    PoolImpact pi;
    pi.pool = p;
    const auto ha = in_pool(before, p), hb = in_pool(after, p);
    pi.before = pool_baseline(ha, cat);
    pi.after = pool_baseline(hb, cat);
    const Names fa(pi.before.features.begin(), pi.before.features.end());
    const Names fb(pi.after.features.begin(), pi.after.features.end());
    if (pi.before.error.empty() && pi.after.error.empty()) {
      pi.features_lost = minus(fa, fb);
      pi.features_gained = minus(fb, fa);
    }
    // Each VM on a host of the pool (after): can it reach every other host of the pool?
    // A name defined on several hosts is the instance compute_impact judges (vms_of).
    for (const auto* src : hb) {
      const auto* vms = src->vms.get();
      if (!vms) continue;
      for (const auto& vm : *vms) {
        if (const auto it = taken_after.find(vm.name); it == taken_after.end() || it->second.vm != &vm) continue;
        // Did it fit every host of the pool before? (judged only when it was there)
        bool fitted_before = true;
        Located was;  // the instance before, when it was in the pool
        if (const auto it = taken_before.find(vm.name);
            it != taken_before.end() && std::find(ha.begin(), ha.end(), it->second.host) != ha.end())
          was = it->second;
        const HostFacts* src_a = was.host;
        if (src_a) {
          for (const auto* d : ha)
            if (d != src_a &&
                judge_mobility(*was.vm, *src_a, *d, rules, setup.policy, setup.old_catalog ? *setup.old_catalog : cat,
                               setup.today, nullptr) != Mobility::yes)
              fitted_before = false;
        }
        VmMaskAdvice adv;
        adv.vm = vm.name;
        adv.host = src->name;
        bool undecided = false;
        for (const auto* d : hb) {
          if (d == src) continue;
          std::vector<std::string> why;
          const Mobility m = judge_mobility(vm, *src, *d, rules, setup.policy, cat, setup.today, &why);
          if (m == Mobility::no) {
            adv.cannot_reach.push_back(d->name);
            for (auto& y : why) adv.why.push_back(d->name + ": " + y);
          } else if (m == Mobility::undecided) {
            undecided = true;
          }
        }
        if (adv.cannot_reach.empty()) {
          if (undecided && fitted_before && src_a) pi.undecided.push_back(vm.name);
          continue;
        }
        // It did not fit before either, or was not in the pool: not this change's doing.
        if (!fitted_before || !src_a) continue;
        try {
          const GuestCpu guest = guest_cpu(vm, *src, cat);
          std::vector<BaselineInput> inputs;
          for (const auto* h : hb) inputs.push_back(baseline_input(resolve_host_cpu(*h, cat)));
          const Mask mask = compute_mask(guest, vm.name, inputs, cat, true);
          adv.gives_up = cat.names(mask.given_up);
          adv.mask = mask.baseline.cpu.model->name +
                     (adv.gives_up.empty() ? "" : " without " + join(adv.gives_up, " "));
          std::string xml = format_libvirt(mask.baseline.cpu, mask.baseline.show_vendor, cat, false);
          std::string one;
          bool space = false;
          for (char c : xml) {
            if (c == '\n' || c == ' ') {
              space = !one.empty();
              continue;
            }
            if (space && !(c == '<' && !one.empty() && one.back() == '>')) one += ' ';
            space = false;
            one += c;
          }
          adv.mask_libvirt = one;
        } catch (const std::exception& e) {
          adv.error = e.what();
        }
        pi.vms.push_back(std::move(adv));
      }
    }
    w.pools.push_back(std::move(pi));
  }
  return w;
}

}  // namespace preflight
