#include "cpu/cpu_baseline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_level.hpp"

namespace preflight {

namespace {

constexpr const char* kWhere = "baseline";

std::string vendor_name(int v, const CpuCatalog& c) {
  return v >= 0 ? c.vendors()[static_cast<size_t>(v)].name : std::string("unknown vendor");
}

int model_vendor(const BaselineInput& in, const CpuCatalog& c) {
  if (in.model.empty()) return -1;
  return c.model(in.model).vendor;
}

// The vendor of each input as libvirt sees it (stated, else its model's), and a
// refusal naming every host per vendor when they differ.
void check_vendors(const std::vector<BaselineInput>& inputs, const CpuCatalog& c) {
  std::map<std::string, std::vector<std::string>> by_vendor;
  for (const auto& in : inputs) {
    if (in.vendor_explicit && in.vendor < 0) {
      throw Error(fmt::format("{}: host '{}': unknown CPU vendor", kWhere, in.host),
                  fmt::format("vendors are those of {}/x86_vendors.xml", c.dir()));
    }
    const int mv = model_vendor(in, c);
    if (in.vendor_explicit && mv >= 0 && mv != in.vendor) {
      throw Error(fmt::format("{}: host '{}': CPU vendor {} of model {} differs from vendor {}", kWhere, in.host,
                              vendor_name(mv, c), in.model, vendor_name(in.vendor, c)),
                  "fix the CPU description");
    }
    const int v = in.vendor_explicit ? in.vendor : mv;
    if (v >= 0) by_vendor[vendor_name(v, c)].push_back(in.host);
  }
  if (by_vendor.size() > 1) {
    std::vector<std::string> parts;
    constexpr size_t kNamed = 8;  // per vendor; an error line stays readable at 10,000 hosts
    for (const auto& [vendor, hosts] : by_vendor) {
      const std::vector<std::string> shown(hosts.begin(), hosts.begin() + std::min(hosts.size(), kNamed));
      parts.push_back(fmt::format("{} ({}{})", vendor, join(shown, ", "),
                                  hosts.size() > kNamed ? fmt::format(", +{} more", hosts.size() - kNamed) : ""));
    }
    throw Error(fmt::format("{}: mixed CPU vendors: {}", kWhere, join(parts, " vs ")),
                "a guest cannot move between CPU vendors; compute one baseline per vendor");
  }
}

}  // namespace

BaselineInput baseline_input(const HostCpu& cpu) {
  return {cpu.host, cpu.features, cpu.vendor, cpu.vendor_explicit, cpu.model};
}

Baseline compute_baseline(const std::vector<BaselineInput>& inputs, const CpuCatalog& catalog, bool migratable) {
  if (inputs.empty()) throw Error(std::string(kWhere) + ": no CPUs given", "name at least one host or CPU file");
  check_vendors(inputs, catalog);

  // libvirt: the vendor comes from the first input's statement, later inputs add
  // their stated or model vendor; <vendor> is printed only if every input states one.
  int vendor = inputs[0].vendor_explicit ? inputs[0].vendor : -1;
  bool show_vendor = inputs[0].vendor_explicit;
  std::vector<std::string> preferred;
  for (const auto& in : inputs) {
    if (!in.model.empty() && std::find(preferred.begin(), preferred.end(), in.model) == preferred.end()) {
      preferred.push_back(in.model);
    }
  }
  CpuFeatureSet common = inputs[0].features;
  for (size_t i = 1; i < inputs.size(); ++i) {
    const BaselineInput& in = inputs[i];
    if (!in.vendor_explicit) show_vendor = false;
    const int v = in.vendor_explicit ? in.vendor : model_vendor(in, catalog);
    if (vendor < 0) vendor = v;
    common &= in.features;
  }
  if (common.empty()) {
    throw Error(fmt::format("{}: the CPUs have no feature in common", kWhere), "check the inputs");
  }

  Baseline b;
  DecodeOptions opt;
  opt.vendor = vendor;
  opt.preferred = preferred;
  opt.guest = true;
  opt.migratable = migratable;
  b.cpu = decode_model(common, opt, catalog);
  b.show_vendor = show_vendor && vendor >= 0;
  b.features = common;
  if (migratable) b.features -= catalog.non_migratable();
  b.level = x86_64_level(b.features, catalog);
  for (const auto& in : inputs) b.given_up.push_back({in.host, in.features - b.features});
  return b;
}

Mask compute_mask(const GuestCpu& guest, const std::string& vm, const std::vector<BaselineInput>& hosts,
                  const CpuCatalog& catalog, bool migratable) {
  std::vector<BaselineInput> inputs;
  inputs.push_back({"VM " + vm, guest.features, guest.vendor, guest.vendor >= 0, guest.model});
  inputs.insert(inputs.end(), hosts.begin(), hosts.end());
  Mask m;
  m.baseline = compute_baseline(inputs, catalog, migratable);
  m.guest = guest.features;
  m.given_up = guest.features - m.baseline.features;
  return m;
}

}  // namespace preflight
