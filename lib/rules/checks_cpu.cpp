// CPU checks: vendor (R01), guest-visible features (R02, R03, R06), firmware-caused
// differences (R04), host-passthrough (R05). Feature sets come from the CPU engine
// (lib/cpu); clock, cache and core count are never compared.
#include <optional>

#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_compare.hpp"
#include "cpu/cpu_format.hpp"
#include "cpu/host_cpu.hpp"
#include "core/text.hpp"
#include "rules/checks.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

// "Intel" | "AMD" | ... from the CPUID string or libvirt's name; "" when unknown.
std::string vendor_of(const HostFacts& h) {
  if (const auto* v = h.cpu.vendor.get()) {
    if (*v == "GenuineIntel") return "Intel";
    if (*v == "AuthenticAMD") return "AMD";
    if (*v == "HygonGenuine") return "Hygon";
    if (!v->empty()) return *v;
  }
  if (const auto* cpu = h.cpu.libvirt_cpu.get(); cpu && !cpu->vendor.empty()) return cpu->vendor;
  return "";
}

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
std::optional<CheckResult> undecided_features(const CheckContext& c, const GuestCpu& guest, const HostCpu& src,
                                              const HostCpu& dst, const CpuFeatureSet& missing,
                                              const CpuCatalog& cat) {
  const bool whole_host = guest.mode == "host-passthrough" || guest.mode == "maximum" ||
                          (guest.mode == "host-model" && !c.source.cpu.host_model.known());
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
  const std::string a = vendor_of(c.source), b = vendor_of(c.destination);
  if (a.empty()) return CheckResult::unknown(c.source, "cpu.vendor", c.source.cpu.vendor.reason());
  if (b.empty()) return CheckResult::unknown(c.destination, "cpu.vendor", c.destination.cpu.vendor.reason());
  json ev = {{"source_vendor", a}, {"destination_vendor", b}};
  if (a != b) return CheckResult::fire(ev);
  return CheckResult::pass("both CPUs are " + a, ev);
}

CheckResult cpu_features(const CheckContext& c, const json&) {
  if (!c.cpu_catalog) return no_catalog();
  const CpuCatalog& cat = *c.cpu_catalog;
  const GuestCpu guest = guest_cpu(c.vm, c.source, cat);
  const HostCpu src = resolve_host_cpu(c.source, cat);
  const HostCpu dst = resolve_host_cpu(c.destination, cat);
  const CpuFeatureSet seen = guest.features - cat.non_migratable();
  json ev = {{"mode", guest.mode}, {"guest_model", guest.model}, {"guest_features", seen.count()}};
  if (!guest.notes.empty()) ev["notes"] = guest.notes;
  const CpuFeatureSet missing = seen - dst.features - hypervisor_bit(cat);
  if ((missing - dst.unknown).empty()) {  // nothing known to be missing: an unknown one may decide
    if (auto undecided = undecided_features(c, guest, src, dst, missing, cat)) return *undecided;
  }
  if (missing.empty())
    return CheckResult::pass("all " + std::to_string(seen.count()) + " CPU features " + c.vm.name + " sees exist on " +
                                 c.destination.name,
                             ev);
  const auto explained = explain_missing(missing, dst, c.destination, &src, cat);
  json list = json::array();
  for (const auto& m : explained) list.push_back({{"feature", m.name}, {"cause", cause_text(m.cause)}, {"detail", m.detail}});
  ev["missing_features"] = list;
  ev["missing"] = feature_list(explained);
  try {
    const Mask mask = compute_mask(guest, c.vm.name, {baseline_input(src), baseline_input(dst)}, cat, true);
    ev["mask"] = mask.baseline.cpu.model->name + (mask.given_up.empty() ? "" : " without " + fill_template("{x}", {{"x", cat.names(mask.given_up)}}));
    ev["mask_libvirt"] = one_line(format_libvirt(mask.baseline.cpu, mask.baseline.show_vendor, cat, false));
    ev["mask_qemu"] = format_qemu(mask.baseline.cpu, cat);
  } catch (const std::exception& e) {
    ev["mask"] = std::string("none: ") + e.what();
    ev["mask_libvirt"] = "n/a";
    ev["mask_qemu"] = "n/a";
  }
  return CheckResult::fire(ev);
}

CheckResult cpu_firmware(const CheckContext& c, const json&) {
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
  return CheckResult::fire(ev, variant, used ? Severity::block : Severity::warn);
}

CheckResult cpu_passthrough(const CheckContext& c, const json&) {
  const std::string mode = c.vm.has_cpu ? c.vm.cpu.mode : "";
  if (mode != "host-passthrough" && mode != "maximum")
    return CheckResult::skip(c.vm.name + "'s CPU mode is " + (mode.empty() ? "the default" : mode) + ", not host-passthrough");
  if (!c.cpu_catalog) return no_catalog();
  const CpuComparison cmp = compare_hosts(c.source, c.destination, *c.cpu_catalog);
  if (!cmp.a.signature) return CheckResult::unknown(c.source, "cpu family/model/stepping", "not in the facts");
  if (!cmp.b.signature) return CheckResult::unknown(c.destination, "cpu family/model/stepping", "not in the facts");
  auto sig = [](const CpuSignature& s) {
    return std::to_string(s.family) + "/" + std::to_string(s.model) + "/" + (s.stepping ? std::to_string(*s.stepping) : "?");
  };
  std::vector<std::string> differences;
  if (!cmp.same_vendor) differences.push_back("vendor " + cmp.a.vendor_name + " vs " + cmp.b.vendor_name);
  if (!cmp.same_signature)
    differences.push_back("family/model/stepping " + sig(*cmp.a.signature) + " on " + c.source.name + ", " +
                          sig(*cmp.b.signature) + " on " + c.destination.name);
  if (!cmp.missing_on_b.empty())
    differences.push_back(c.destination.name + " lacks " + feature_list(cmp.missing_on_b));
  if (!cmp.missing_on_a.empty())
    differences.push_back(c.destination.name + " has features " + c.source.name + " lacks: " + feature_list(cmp.missing_on_a));
  json ev = {{"source_signature", sig(*cmp.a.signature)}, {"destination_signature", sig(*cmp.b.signature)}};
  if (differences.empty()) return CheckResult::pass("identical CPUs on both hosts", ev);
  ev["differences"] = differences;
  return CheckResult::fire(ev);
}

}  // namespace preflight::checks
