// CPU checks: vendor (R01), guest-visible features (R02, R03, R06), firmware-caused
// differences (R04), host-passthrough (R05). Feature sets come from the CPU engine
// (lib/cpu); clock, cache and core count are never compared.
#include <algorithm>
#include <optional>

#include "core/text.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_compare.hpp"
#include "cpu/cpu_format.hpp"
#include "cpu/guest_cpu_judgement.hpp"
#include "cpu/host_cpu.hpp"
#include "cpu/offered_cpu.hpp"
#include "rules/checks.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

// "Intel" | "AMD" | ... (cpu_map's vendor names) from the CPUID string or libvirt's
// name; "" when unknown. A string the catalog does not know is returned as is.
std::string vendor_of(const HostFacts& h, const CpuCatalog& catalog) {
  if (const auto* v = h.cpu.vendor.get(); v && !v->empty()) {
    const int id = catalog.find_vendor(*v);
    return id >= 0 ? catalog.vendors()[static_cast<size_t>(id)].name : *v;
  }
  if (const auto* cpu = h.cpu.libvirt_cpu.get(); cpu && !cpu->vendor.empty()) return cpu->vendor;
  // A kvm guest gets the host's vendor: the kvm offer's host-model names it.
  if (const auto* offers = h.offers.get())
    if (const GuestOffer* kvm = find_offer(*offers, "kvm"); kvm && kvm->host_model.known())
      return kvm->host_model.value().vendor;
  return "";
}

// The subject of a fired CPU check: the destination's CPU as offered to the VM.
std::vector<Subject> destination_cpu(const CheckContext& c) { return {{Subject::Kind::cpu, c.destination.name}}; }

CheckResult no_catalog() { return CheckResult::error("CPU catalog (libvirt cpu_map) not loaded: the CPU rules cannot decide"); }

std::string one_line(std::string s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty() && c != '<' && out.back() != '>') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string feature_list(const std::vector<MissingFeature>& missing) {
  std::string out;
  for (const auto& m : missing) out += (out.empty() ? "" : ", ") + m.name + " (" + cause_text(m.cause) + ")";
  return out;
}

bool firmware_cause(MissingCause c) {
  return c == MissingCause::disabled_by_firmware || c == MissingCause::removed_by_microcode_or_kernel;
}

// Whether any firmware fact of `h` is known.
bool has_firmware_state(const HostFacts& h) {
  const auto& f = h.firmware;
  return f.virtualization.known() || f.nx.known() || f.aes.known() || f.x2apic.known() || f.sgx.known() ||
         f.smt.known() || f.tsx.known();
}

// When the answer depends on features the facts cannot tell (HostCpu::unknown):
// those of the destination the guest needs (`missing`), or those of the source a
// whole-host guest may see and the destination is not known to have. The error
// names the host, the features and why; nullopt when no such feature matters.
std::optional<CheckResult> undecided_features(const CheckContext& c, const std::string& mode, const HostCpu& src,
                                              const HostCpu& dst, const CpuFeatureSet& missing,
                                              const CpuCatalog& cat) {
  const bool whole_host = mode == "host-passthrough" || mode == "maximum" ||
                          (mode == "host-model" && !c.source.cpu.host_model.known());
  const CpuFeatureSet on_dst = missing & dst.unknown;
  const CpuFeatureSet on_src =
      whole_host ? src.unknown - cat.non_migratable() - dst.features - hypervisor_bit(cat) : CpuFeatureSet{};
  if (on_dst.empty() && on_src.empty()) return std::nullopt;
  const bool dst_side = !on_dst.empty();
  const HostFacts& host = dst_side ? c.destination : c.source;
  const CpuFeatureSet features = dst_side ? on_dst : on_src;
  std::vector<std::string> reasons;
  for (const auto& m : explain_missing(features, dst_side ? dst : src, host, nullptr, cat))
    reasons.push_back(m.name + ": " + m.detail);
  return CheckResult::unknown(host, "cpu features " + join(cat.names(features), " "), join(reasons, "; "));
}

}  // namespace

CheckResult cpu_vendor(const CheckContext& c, const json&) {
  if (guest_virt_type(c.vm) == "qemu")
    return CheckResult::skip(c.vm.name + " is a TCG guest (domain type qemu): QEMU emulates its CPU, the hosts' "
                             "vendors do not matter");
  if (!c.cpu_catalog) return no_catalog();
  const std::string a = vendor_of(c.source, *c.cpu_catalog), b = vendor_of(c.destination, *c.cpu_catalog);
  if (a.empty()) return CheckResult::unknown(c.source, "cpu.vendor", c.source.cpu.vendor.reason());
  if (b.empty()) return CheckResult::unknown(c.destination, "cpu.vendor", c.destination.cpu.vendor.reason());
  json ev = {{"source_vendor", a}, {"destination_vendor", b}};
  if (a != b) return CheckResult::fire(ev).about(destination_cpu(c));
  return CheckResult::pass("both CPUs are " + a, ev);
}

namespace {

// Each missing feature with its cause: for kvm guests, a feature the destination's
// CPU has but its hypervisor does not offer is "not offered"; the rest are
// explained by the bare CPU (firmware, microcode, silicon). TCG emulates: for qemu
// guests, the offer is the only cause.
std::vector<MissingFeature> explain_not_offered(const CpuFeatureSet& missing, const CheckContext& c,
                                                const OfferedCpu& dest, const CpuCatalog& cat) {
  std::vector<MissingFeature> out;
  const std::string detail = "not in what " + c.destination.name + " offers " + dest.virt_type + " guests";
  std::optional<HostCpu> bare, src;
  if (dest.virt_type == "kvm" && dest.basis == OfferBasis::offer) {
    try {
      bare = resolve_host_cpu(c.destination, cat);
      src = resolve_host_cpu(c.source, cat);
    } catch (const Error&) {
    }
  }
  if (!bare) {
    if (dest.basis != OfferBasis::offer) return explain_missing(missing, dest.cpu, c.destination, nullptr, cat);
    missing.for_each([&](size_t id) { out.push_back({cat.features()[id].name, MissingCause::not_offered, detail}); });
    return out;
  }
  const auto in_silicon = explain_missing(missing, *bare, c.destination, src ? &*src : nullptr, cat);
  missing.for_each([&](size_t id) {
    const std::string& name = cat.features()[id].name;
    auto it = std::find_if(in_silicon.begin(), in_silicon.end(), [&](const MissingFeature& m) { return m.name == name; });
    out.push_back(it != in_silicon.end() ? *it : MissingFeature{name, MissingCause::not_offered, detail});
  });
  return out;
}

void add_mask(json& ev, const GuestCpuJudgement& j, const CheckContext& c, const OfferedCpu& dest,
              const CpuCatalog& cat) {
  try {
    GuestCpu guest;
    guest.mode = "custom";
    guest.model = j.model;
    guest.features = j.requested;
    guest.vendor = dest.cpu.vendor;
    std::vector<BaselineInput> hosts{baseline_input(dest.cpu)};
    if (!c.new_vm) {  // a VM defined nowhere yet needs only what the destination offers
      const Fact<OfferedCpu> src = offered_cpu(c.source, dest.virt_type, cat);
      hosts.push_back(baseline_input(src.known() ? src.value().cpu : resolve_host_cpu(c.source, cat)));
    }
    const Mask mask = compute_mask(guest, c.vm.name, hosts, cat, true);
    ev["mask"] = mask.baseline.cpu.model->name + (mask.given_up.empty() ? "" : " without " + fill_template("{x}", {{"x", cat.names(mask.given_up)}}));
    ev["mask_libvirt"] = one_line(format_libvirt(mask.baseline.cpu, mask.baseline.show_vendor, cat, false));
    ev["mask_qemu"] = format_qemu(mask.baseline.cpu, cat);
  } catch (const std::exception& e) {
    ev["mask"] = std::string("none: ") + e.what();
    ev["mask_libvirt"] = "n/a";
    ev["mask_qemu"] = "n/a";
  }
}

const char* basis_name(OfferBasis b) {
  switch (b) {
    case OfferBasis::offer: return "domain capabilities";
    case OfferBasis::stated: return "stated CPU";
    case OfferBasis::silicon: return "raw CPUID (upper bound)";
  }
  return "";
}

// Without any knowledge of the destination's offer: flags unknown, no features.
OfferedCpu nothing_known(const std::string& type) {
  OfferedCpu o;
  o.virt_type = type;
  o.host_passthrough = o.maximum = Fact<bool>::unknown("offer unknown");
  return o;
}

}  // namespace

CheckResult cpu_features(const CheckContext& c, const json& params) {
  if (!c.cpu_catalog) return no_catalog();
  const CpuCatalog& cat = *c.cpu_catalog;
  std::string type_note;
  const std::string type = guest_virt_type(c.vm, &type_note);
  const Fact<OfferedCpu> offered = offered_cpu(c.destination, type, cat);
  const OfferedCpu dest = offered.known() ? offered.value() : nothing_known(type);
  const GuestCpuJudgement j = judge_guest_cpu(c.vm, c.source, dest, cat);
  json ev = {{"mode", j.mode},
             {"guest_model", j.model},
             {"virt_type", type},
             {"guest_features", j.requested.count()},
             {"judged_against", offered.known() ? basis_name(dest.basis) : "nothing known"}};
  std::vector<std::string> notes = j.notes;
  if (!type_note.empty()) notes.push_back(type_note);
  if (!dest.assumed.empty()) notes.push_back("assumed: " + dest.assumed);
  if (!notes.empty()) ev["notes"] = notes;
  // Decide from what is known: a guest that needs nothing of the offer passes without it.
  const bool needs_offer = !j.requested.empty() || j.mode == "host-passthrough" || j.mode == "maximum";
  if (!offered.known() && needs_offer)
    return CheckResult::unknown(c.destination, "CPU offered to " + type + " guests", offered.reason());
  if (j.mode_offer_unknown)
    return CheckResult::unknown(c.destination, j.mode + " support for " + type + " guests", dest.host_passthrough.reason());
  if (!j.mode_not_offered.empty()) {
    ev["cpu_mode"] = j.mode_not_offered;
    return CheckResult::fire(ev, "mode_not_offered").about(destination_cpu(c));
  }
  if (!j.vendor_mismatch.empty()) {
    ev["vendors"] = j.vendor_mismatch;
    return CheckResult::fire(ev, "vendor").about(destination_cpu(c));
  }
  CpuFeatureSet missing = j.missing;
  if (dest.basis == OfferBasis::silicon) {
    // An upper bound: KVM cannot give what the CPU lacks, except what it synthesises.
    for (const auto& name : param_strings(params, "kvm_synthesised", {}))
      if (auto id = cat.find_feature(name)) missing.reset(*id);
    if (missing.empty())
      return CheckResult::unknown(c.destination, "CPU offered to kvm guests",
                                  "its CPU has every feature " + c.vm.name + " needs, but whether KVM offers them all "
                                  "is known only from domain capabilities (" + dest.assumed + ")");
  }
  if ((missing - dest.cpu.unknown).empty() && j.forbidden.empty() && j.strict_extra.empty()) {
    // Nothing known to be missing: a feature the facts cannot tell may decide.
    try {
      // A VM defined nowhere yet has no source CPU: only the destination's unknowns matter.
      const HostCpu src = c.new_vm ? HostCpu{} : resolve_host_cpu(c.source, cat);
      if (auto undecided = undecided_features(c, j.mode, src, dest.cpu, missing, cat)) return *undecided;
    } catch (const Error&) {  // the source's CPU is unknown: the judgement above stands on the offer
    }
  }
  if (missing.empty() && j.forbidden.empty() && j.strict_extra.empty())
    return CheckResult::pass("all " + std::to_string(j.requested.count()) + " CPU features " + c.vm.name +
                                 " needs are offered to " + type + " guests by " + c.destination.name +
                                 (offered.known() && dest.basis != OfferBasis::offer
                                      ? std::string(" (") + basis_name(dest.basis) + ")" : ""),
                             ev);
  if (missing.empty() && !j.forbidden.empty()) {
    ev["forbidden"] = join(cat.names(j.forbidden), ", ");
    return CheckResult::fire(ev, "forbidden").about(destination_cpu(c));
  }
  if (missing.empty()) {
    ev["extra"] = join(cat.names(j.strict_extra), ", ");
    return CheckResult::fire(ev, "strict").about(destination_cpu(c));
  }
  const auto explained = explain_not_offered(missing, c, dest, cat);
  json list = json::array();
  for (const auto& m : explained) list.push_back({{"feature", m.name}, {"cause", cause_text(m.cause)}, {"detail", m.detail}});
  ev["missing_features"] = list;
  json named = json::array();  // "avx512f (absent in silicon)", ...: one item each, so reports can shorten the list
  for (const auto& m : explained) named.push_back(m.name + " (" + cause_text(m.cause) + ")");
  ev["missing"] = named;
  add_mask(ev, j, c, dest, cat);
  return CheckResult::fire(ev, c.new_vm ? "new_vm" : "").about(destination_cpu(c));
}

CheckResult cpu_firmware(const CheckContext& c, const json&) {
  if (guest_virt_type(c.vm) == "qemu")
    return CheckResult::skip(c.vm.name + " is a TCG guest (domain type qemu): what firmware switched off on " +
                             c.destination.name + " does not reach it");
  if (!c.cpu_catalog) return no_catalog();
  const CpuCatalog& cat = *c.cpu_catalog;
  const HostCpu src = resolve_host_cpu(c.source, cat);
  const HostCpu dst = resolve_host_cpu(c.destination, cat);
  const CpuFeatureSet lacking = src.features - dst.features - hypervisor_bit(cat);
  if (lacking.empty()) return CheckResult::pass(c.destination.name + " offers every feature " + c.source.name + " does");
  const auto explained = explain_missing(lacking, dst, c.destination, &src, cat);
  std::vector<MissingFeature> fw;
  for (const auto& m : explained)
    if (firmware_cause(m.cause)) fw.push_back(m);
  if (fw.empty()) {
    if (!has_firmware_state(c.destination))
      return CheckResult::skip(c.destination.name + "'s facts carry no firmware state (its CPU comes from " +
                               (dst.origin == CpuOrigin::libvirt_cpu ? "a <cpu> description" : "CPUID alone") +
                               "); cpu.features still guards the move");
    return CheckResult::pass("no CPU difference is caused by firmware or microcode");
  }
  GuestCpu guest;
  bool guest_known = true;
  try {
    guest = guest_cpu(c.vm, c.source, cat);
  } catch (const std::exception&) {
    guest_known = false;
  }
  std::vector<std::string> differences, features;
  bool used = !guest_known;  // fail closed: unknown guest use counts as used
  for (const auto& m : fw) {
    const bool uses = !guest_known || guest.features.test(cat.feature_id(m.name));
    used |= uses;
    differences.push_back(m.name + " " + cause_text(m.cause) + " on " + c.destination.name +
                          (m.detail.empty() ? "" : " (" + m.detail + ")") + (uses ? ", used by " + c.vm.name : ""));
    features.push_back(m.name);
  }
  json ev = {{"differences", differences}, {"features", features}};
  const bool identical = src.signature && dst.signature && *src.signature == *dst.signature && src.vendor == dst.vendor;
  ev["identical_cpus"] = identical;
  const std::string variant = std::string(identical ? "identical" : "other") + (used ? "_used" : "");
  return CheckResult::fire(ev, variant, used ? Severity::block : Severity::warn).about(destination_cpu(c));
}

CheckResult cpu_passthrough(const CheckContext& c, const json&) {
  const std::string mode = c.vm.has_cpu ? c.vm.cpu.mode : "";
  if (mode != "host-passthrough" && mode != "maximum")
    return CheckResult::skip(c.vm.name + "'s CPU mode is " + (mode.empty() ? "the default" : mode) + ", not host-passthrough");
  if (!c.cpu_catalog) return no_catalog();
  const CpuComparison cmp = compare_hosts(c.source, c.destination, *c.cpu_catalog);
  auto sig = [](const std::optional<CpuSignature>& s) {
    if (!s) return std::string("unknown");
    return std::to_string(s->family) + "/" + std::to_string(s->model) + "/" + (s->stepping ? std::to_string(*s->stepping) : "?");
  };
  std::vector<std::string> differences;
  if (!cmp.same_vendor) differences.push_back("vendor " + cmp.a.vendor_name + " vs " + cmp.b.vendor_name);
  const bool signatures_known = cmp.a.signature && cmp.b.signature;
  if (signatures_known && !cmp.same_signature)
    differences.push_back("family/model/stepping " + sig(cmp.a.signature) + " on " + c.source.name + ", " +
                          sig(cmp.b.signature) + " on " + c.destination.name);
  if (!cmp.missing_on_b.empty())
    differences.push_back(c.destination.name + " lacks " + feature_list(cmp.missing_on_b));
  if (!cmp.missing_on_a.empty())
    differences.push_back(c.destination.name + " has features " + c.source.name + " lacks: " + feature_list(cmp.missing_on_a));
  json ev = {{"source_signature", sig(cmp.a.signature)}, {"destination_signature", sig(cmp.b.signature)}};
  // Any other difference decides; only identical-looking CPUs need the signatures.
  if (!differences.empty()) {
    ev["differences"] = differences;
    return CheckResult::fire(ev).about(destination_cpu(c));
  }
  if (!cmp.a.signature) return CheckResult::unknown(c.source, "cpu family/model/stepping", "not in the facts");
  if (!cmp.b.signature) return CheckResult::unknown(c.destination, "cpu family/model/stepping", "not in the facts");
  return CheckResult::pass("identical CPUs on both hosts", ev);
}

}  // namespace preflight::checks
