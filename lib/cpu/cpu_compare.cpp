#include "cpu/cpu_compare.hpp"

#include <map>

#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"
#include "cpu/cpu_errata.hpp"
#include "cpu/firmware_switch.hpp"

namespace preflight {

namespace {

// Features that CPU microcode updates add (speculation controls); an older
// microcode lacks them.
constexpr const char* kMicrocodeFeatures[] = {"md-clear", "spec-ctrl", "stibp", "ssbd", "arch-capabilities",
                                              "flush-l1d", "core-capability", "split-lock-detect",
                                              "fb-clear", "tsx-ctrl", "taa-no", "mds-no"};
constexpr const char* kTsxFeatures[] = {"hle", "rtm"};

bool named(const std::string& name, const auto& list) {
  return std::any_of(std::begin(list), std::end(list), [&](const auto& n) { return name == n; });
}

std::string signature_text(const std::optional<CpuSignature>& s) {
  if (!s) return "unknown";
  return s->stepping ? fmt::format("family {} model {} stepping {}", s->family, s->model, *s->stepping)
                     : fmt::format("family {} model {}", s->family, s->model);
}

// Why `dest`'s input cannot tell feature `f`.
std::string unknown_detail(const CpuFeature& f, const HostCpu& dest) {
  if (f.is_msr) {
    return fmt::format("lives in MSR {:#x}, which the facts of '{}' do not carry ({})", f.msr_index, dest.host,
                       dest.msrs_reason.empty() ? "not read" : dest.msrs_reason);
  }
  return fmt::format("lives in CPUID leaf {:#x} sub-leaf {}, which the CPU of '{}' declares but its facts do not "
                     "carry (a libcpuid dump records only sub-leaf 0 of most leaves): collect '{}' with preflight "
                     "collect",
                     f.leaf, f.subleaf, dest.host, dest.host);
}

MissingFeature explain_one(size_t id, const HostCpu& dest, const HostFacts& facts, const HostCpu* from,
                           const CpuCatalog& catalog) {
  const CpuFeature& feature = catalog.features()[id];
  const std::string& name = feature.name;
  MissingFeature m{name, MissingCause::unknown, {}};
  if (dest.unknown.test(id)) {
    m.detail = unknown_detail(feature, dest);
    return m;
  }
  if (dest.errata_off.test(id)) {
    m.cause = MissingCause::removed_by_microcode_or_kernel;
    for (const CpuErratum* e : errata_of(dest.vendor, dest.signature, catalog))
      if (named(name, e->features)) m.detail = fmt::format("{} ('{}' is such a CPU)", e->why, dest.host);
    return m;
  }
  bool firmware_switchable = false;
  for (const FirmwareSwitch& sw : firmware_switches()) {
    if (!named(name, sw.features)) continue;
    firmware_switchable = true;
    // Firmware switches off what the CPU reports; what it does not report, firmware did not take.
    if (dest.firmware_off.test(id)) {
      m.cause = MissingCause::disabled_by_firmware;
      m.detail = fmt::format("{} is switched off in the firmware of '{}': enable it in the BIOS/UEFI setup",
                             sw.setting, dest.host);
      return m;
    }
  }
  if (named(name, kTsxFeatures)) {
    const std::string tsx = facts.firmware.tsx.value_or("");
    std::string taa;
    if (const auto* v = facts.firmware.vulnerabilities.get()) {
      if (auto it = v->find("tsx_async_abort"); it != v->end()) taa = it->second;
    }
    if (tsx == "disabled" || taa.find("TSX disabled") != std::string::npos) {
      m.cause = MissingCause::removed_by_microcode_or_kernel;
      m.detail = fmt::format("TSX is disabled on '{}' (tsx: {}{}); hle/rtm stay off unless tsx=on is set "
                             "(mind TAA) or guests use a -noTSX model",
                             dest.host, tsx.empty() ? "unknown" : tsx, taa.empty() ? "" : ", tsx_async_abort: " + taa);
      return m;
    }
  }
  if (named(name, kMicrocodeFeatures) && from && !from->microcode.empty() && !dest.microcode.empty() &&
      from->microcode != dest.microcode) {
    // Microcode revisions compare only within one CPU model; across models or
    // vendors a missing speculation control is no proof of old microcode.
    const bool same_model = from->vendor == dest.vendor && from->signature && dest.signature &&
                            from->signature->family == dest.signature->family &&
                            from->signature->model == dest.signature->model;
    if (same_model) {
      m.cause = MissingCause::removed_by_microcode_or_kernel;
      m.detail = fmt::format("delivered by microcode updates: '{}' runs microcode {}, '{}' runs {}; update it",
                             dest.host, dest.microcode, from->host, from->microcode);
    } else {
      m.detail = fmt::format("microcode updates deliver this speculation control on some CPUs; '{}' runs "
                             "microcode {}: check its vendor for an update",
                             dest.host, dest.microcode);
    }
    return m;
  }
  if (dest.hypervisor) {
    m.cause = MissingCause::hidden_by_hypervisor;
    m.detail = fmt::format("'{}' is itself a virtual machine (CPUID hypervisor bit); its hypervisor does not pass "
                           "the feature through",
                           dest.host);
    return m;
  }
  if (dest.origin == CpuOrigin::cpuid) {
    m.cause = MissingCause::absent_in_silicon;
    m.detail = fmt::format("the CPU of '{}' ({}) does not report it", dest.host, signature_text(dest.signature));
    return m;
  }
  // A libvirt CPU description lists every feature the CPU reports (libvirt writes
  // it from CPUID). What firmware, microcode or the kernel may have switched off
  // cannot be told from it; anything else it lacks, the silicon lacks.
  if (!firmware_switchable && !named(name, kMicrocodeFeatures) && !named(name, kTsxFeatures)) {
    m.cause = MissingCause::absent_in_silicon;
    m.detail = fmt::format("the CPU description of '{}' ({}{}) does not list it", dest.host,
                           dest.model.empty() ? "no model" : "model " + dest.model,
                           dest.signature ? ", " + signature_text(dest.signature) : "");
    return m;
  }
  m.detail = fmt::format("'{}' is known only by its libvirt CPU description, which cannot tell whether firmware, "
                         "microcode or the kernel switched it off",
                         dest.host);
  return m;
}

nlohmann::json missing_json(const std::vector<MissingFeature>& list) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& m : list)
    a.push_back({{"feature", m.name}, {"cause", cause_text(m.cause)}, {"detail", m.detail}, {"migratable", m.migratable}});
  return a;
}

std::string host_line(const HostCpu& h, size_t migratable) {
  const size_t all = h.features.count();
  return fmt::format("{}: {} {}, microcode {}, {} features{} ({}){}", h.host,
                     h.vendor_name.empty() ? "vendor unknown" : h.vendor_name,
                     h.signature ? signature_text(h.signature) : "family/model unknown",
                     h.microcode.empty() ? "unknown" : h.microcode, all,
                     migratable == all ? "" : fmt::format(", {} a migrating guest can see", migratable),
                     h.origin == CpuOrigin::cpuid ? "raw CPUID" : "libvirt CPU description",
                     h.hypervisor ? ", a virtual machine" : "");
}

}  // namespace

const char* cause_text(MissingCause cause) {
  switch (cause) {
    case MissingCause::absent_in_silicon: return "absent in silicon";
    case MissingCause::disabled_by_firmware: return "disabled by firmware";
    case MissingCause::removed_by_microcode_or_kernel: return "removed by microcode or kernel";
    case MissingCause::hidden_by_hypervisor: return "hidden by a hypervisor";
    case MissingCause::not_offered: return "not offered by the hypervisor";
    case MissingCause::unknown: return "cause unknown";
  }
  return "cause unknown";
}

std::vector<MissingFeature> explain_missing(const CpuFeatureSet& wanted, const HostCpu& dest,
                                            const HostFacts& dest_facts, const HostCpu* from,
                                            const CpuCatalog& catalog) {
  std::vector<MissingFeature> out;
  (wanted - dest.features).for_each([&](size_t id) { out.push_back(explain_one(id, dest, dest_facts, from, catalog)); });
  return out;
}

HostFacts explanation_facts(const HostFacts& host) {
  HostFacts out;
  out.firmware.tsx = host.firmware.tsx;
  if (const auto* v = host.firmware.vulnerabilities.get()) {
    std::map<std::string, std::string> kept;
    if (auto it = v->find("tsx_async_abort"); it != v->end()) kept.insert(*it);
    out.firmware.vulnerabilities = std::move(kept);
  } else {
    out.firmware.vulnerabilities = host.firmware.vulnerabilities;  // unknown, with its reason
  }
  return out;
}

CpuComparison compare_hosts(const HostFacts& a, const HostFacts& b, const CpuCatalog& catalog) {
  CpuComparison c{resolve_host_cpu(a, catalog), resolve_host_cpu(b, catalog)};
  c.same_vendor = !c.a.vendor_name.empty() && c.a.vendor_name == c.b.vendor_name;
  c.same_signature = c.a.signature && c.b.signature && c.a.signature->stepping && c.a.signature == c.b.signature;
  c.same_microcode = !c.a.microcode.empty() && c.a.microcode == c.b.microcode;
  // Whether a host is itself virtual is in its line, not a feature guests miss.
  const CpuFeatureSet a_has = c.a.features - hypervisor_bit(catalog), b_has = c.b.features - hypervisor_bit(catalog);
  c.missing_on_b = explain_missing(a_has - c.b.unknown, c.b, b, &c.a, catalog);
  c.missing_on_a = explain_missing(b_has - c.a.unknown, c.a, a, &c.b, catalog);
  c.unknown_on_b = explain_missing(a_has & c.b.unknown, c.b, b, &c.a, catalog);
  c.unknown_on_a = explain_missing(b_has & c.a.unknown, c.a, a, &c.b, catalog);
  c.a_migratable = (a_has - catalog.non_migratable()).count();
  c.b_migratable = (b_has - catalog.non_migratable()).count();
  for (auto* l : {&c.missing_on_b, &c.missing_on_a, &c.unknown_on_b, &c.unknown_on_a})
    for (auto& m : *l) m.migratable = !catalog.non_migratable().test(catalog.feature_id(m.name));
  return c;
}

// Why `h` has no vendor.
static std::string vendor_unknown_reason(const HostCpu& h) {
  if (h.origin == CpuOrigin::libvirt_cpu)
    return h.model.empty() ? "its CPU description names no <vendor> and no model"
                           : "its CPU description names no <vendor>, and model " + h.model +
                                 " has none in libvirt's cpu_map";
  return "its CPUID vendor string is not in the facts";
}

std::string comparison_text(const CpuComparison& c) {
  std::string s = host_line(c.a, c.a_migratable) + "\n" + host_line(c.b, c.b_migratable) + "\n";
  if (c.same_vendor) {
    s += "vendor: same\n";
  } else if (c.vendor_unknown()) {
    for (const HostCpu* h : {&c.a, &c.b})
      if (h->vendor_name.empty()) s += fmt::format("vendor: unknown for {} ({})\n", h->host, vendor_unknown_reason(*h));
  } else {
    s += fmt::format("vendor: DIFFERENT ({} vs {}): no guest can move between them\n", c.a.vendor_name, c.b.vendor_name);
  }
  s += fmt::format("signature: {}\n", c.same_signature ? "same" : "differs or unknown (matters to host-passthrough)");
  s += fmt::format("microcode: {}\n", c.same_microcode ? "same" : "differs or unknown");
  auto list = [&](const std::vector<MissingFeature>& l, const HostCpu& has, const HostCpu& lacks) {
    std::vector<std::string> fixed;  // libvirt's migratable='no' features, which `matrix` does not count
    for (const auto& m : l)
      if (!m.migratable) fixed.push_back(m.name);
    const std::string note =
        fixed.empty() ? ""
                      : fmt::format(" ({} a migrating guest can see, as `preflight matrix` counts; not migratable: {})",
                                    l.size() - fixed.size(), join(fixed, " "));
    s += fmt::format("{} has, {} lacks: {}{}\n", has.host, lacks.host, l.empty() ? "nothing" : std::to_string(l.size()),
                     note);
    for (const auto& m : l) s += fmt::format("  {:<20} {}: {}\n", m.name, cause_text(m.cause), m.detail);
  };
  list(c.missing_on_b, c.a, c.b);
  list(c.missing_on_a, c.b, c.a);
  auto unknown = [&](const std::vector<MissingFeature>& l, const HostCpu& has, const HostCpu& cannot) {
    if (l.empty()) return;
    s += fmt::format("{} has, {} cannot tell (unknown, not absent): {}\n", has.host, cannot.host, l.size());
    for (const auto& m : l) s += fmt::format("  {:<20} unknown: {}\n", m.name, m.detail);
  };
  unknown(c.unknown_on_b, c.a, c.b);
  unknown(c.unknown_on_a, c.b, c.a);
  if (c.identical() && !c.undecided() && c.same_signature && c.same_microcode) s += "identical CPUs\n";
  return s;
}

nlohmann::json comparison_json(const CpuComparison& c) {
  auto host = [](const HostCpu& h) {
    nlohmann::json j{{"host", h.host},
                     {"vendor", h.vendor_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.vendor_name)},
                     {"microcode", h.microcode.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.microcode)},
                     {"origin", h.origin == CpuOrigin::cpuid ? "cpuid" : "libvirt_cpu"},
                     {"hypervisor", h.hypervisor},
                     {"feature_count", h.features.count()}};
    if (h.signature) {
      j["signature"] = {{"family", h.signature->family}, {"model", h.signature->model}};
      if (h.signature->stepping) j["signature"]["stepping"] = *h.signature->stepping;
    } else {
      j["signature"] = nullptr;
    }
    return j;
  };
  return {{"a", host(c.a)},
          {"b", host(c.b)},
          {"same_vendor", c.vendor_unknown() ? nlohmann::json(nullptr) : nlohmann::json(c.same_vendor)},
          {"same_signature", c.same_signature},
          {"same_microcode", c.same_microcode},
          {"missing_on_b", missing_json(c.missing_on_b)},
          {"missing_on_a", missing_json(c.missing_on_a)},
          {"unknown_on_b", missing_json(c.unknown_on_b)},
          {"unknown_on_a", missing_json(c.unknown_on_a)}};
}

}  // namespace preflight
