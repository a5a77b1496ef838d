#include "cpu/cpu_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "cpu/cpu_level.hpp"

namespace preflight {

namespace {

std::vector<std::pair<std::string, const char*>> listed_features(const DecodedCpu& cpu, const CpuCatalog& c,
                                                                 bool expand) {
  std::vector<std::pair<std::string, const char*>> out;
  const auto& f = c.features();
  if (!expand) {
    cpu.required.for_each([&](size_t id) { out.emplace_back(f[id].name, "require"); });
    cpu.disabled.for_each([&](size_t id) { out.emplace_back(f[id].name, "disable"); });
    for (size_t id : cpu.removed_disabled) out.emplace_back(f[id].name, "disable");
    return out;
  }
  (cpu.model->features | cpu.required).for_each([&](size_t id) {
    out.emplace_back(f[id].name, cpu.disabled.test(id) ? "disable" : "require");
  });
  cpu.disabled.for_each([&](size_t id) {
    if (!cpu.model->features.test(id) && !cpu.required.test(id)) out.emplace_back(f[id].name, "disable");
  });
  for (size_t id : cpu.removed_disabled) out.emplace_back(f[id].name, "disable");
  std::sort(out.begin(), out.end());
  return out;
}

const char* reg_name(CpuRegister r) {
  switch (r) {
    case CpuRegister::eax: return "eax";
    case CpuRegister::ebx: return "ebx";
    case CpuRegister::ecx: return "ecx";
    case CpuRegister::edx: return "edx";
  }
  return "?";
}

}  // namespace

std::string format_libvirt(const DecodedCpu& cpu, bool show_vendor, const CpuCatalog& catalog, bool expand) {
  std::string s = "<cpu mode='custom' match='exact'>\n";
  s += fmt::format("  <model fallback='{}'>{}</model>\n", cpu.preferred ? "forbid" : "allow", cpu.model->name);
  if (show_vendor && cpu.vendor >= 0) {
    s += fmt::format("  <vendor>{}</vendor>\n", catalog.vendors()[static_cast<size_t>(cpu.vendor)].name);
  }
  for (const auto& [name, policy] : listed_features(cpu, catalog, expand)) {
    s += fmt::format("  <feature policy='{}' name='{}'/>\n", policy, name);
  }
  s += "</cpu>\n";
  return s;
}

std::string format_qemu(const DecodedCpu& cpu, const CpuCatalog& catalog) {
  std::string s = "-cpu " + cpu.model->name;
  auto add = [&](char sign, size_t id) {
    std::string n = catalog.features()[id].name;
    std::replace(n.begin(), n.end(), '_', '-');
    s += fmt::format(",{}{}", sign, n);
  };
  cpu.required.for_each([&](size_t id) { add('+', id); });
  cpu.disabled.for_each([&](size_t id) { add('-', id); });
  for (size_t id : cpu.removed_disabled) add('-', id);
  return s + ",enforce";
}

std::string format_vmware(const CpuFeatureSet& visible, const CpuCatalog& catalog) {
  // (leaf, subleaf, register) -> 32 mask characters, bit 31 first.
  std::map<std::tuple<uint32_t, uint32_t, int>, std::string> regs;
  std::string msr_lines;
  const auto& features = catalog.features();
  for (size_t id = 0; id < features.size(); ++id) {
    const CpuFeature& f = features[id];
    if (f.is_msr) {
      if (!visible.test(id)) {
        msr_lines += fmt::format("# not maskable by CPUID: MSR {:#x} {} bit {} ({}) must be hidden by the hypervisor\n",
                                 f.msr_index, f.msr_high ? "edx" : "eax", std::countr_zero(f.mask), f.name);
      }
      continue;
    }
    auto [it, fresh] = regs.try_emplace({f.leaf, f.subleaf, static_cast<int>(f.reg)}, std::string(32, '-'));
    if (!visible.test(id)) it->second[static_cast<size_t>(31 - std::countr_zero(f.mask))] = '0';
  }
  std::string s =
      "# VMware CPUID mask (KB 1993 style): bit 31 first; '-' pass the host's bit, '0' hide it\n";
  for (const auto& [key, bits] : regs) {
    const auto& [leaf, subleaf, reg] = key;
    std::string grouped;
    for (size_t i = 0; i < 32; ++i) {
      if (i && i % 4 == 0) grouped += ':';
      grouped += bits[i];
    }
    const std::string sub = subleaf ? fmt::format(".{:x}", subleaf) : std::string();
    s += fmt::format("cpuid.{:x}{}.{} = \"{}\"\n", leaf, sub, reg_name(static_cast<CpuRegister>(reg)), grouped);
  }
  return s + msr_lines;
}

nlohmann::json baseline_json(const Baseline& b, const CpuCatalog& catalog) {
  nlohmann::json j;
  j["model"] = b.cpu.model->name;
  j["fallback"] = b.cpu.preferred ? "forbid" : "allow";
  j["vendor"] = b.cpu.vendor >= 0 ? nlohmann::json(catalog.vendors()[static_cast<size_t>(b.cpu.vendor)].name)
                                  : nlohmann::json(nullptr);
  j["require"] = catalog.names(b.cpu.required);
  std::vector<std::string> disabled = catalog.names(b.cpu.disabled);
  for (size_t id : b.cpu.removed_disabled) disabled.push_back(catalog.features()[id].name);
  j["disable"] = disabled;
  j["features"] = catalog.names(b.features);
  j["x86_64_level"] = b.level;
  j["libvirt"] = format_libvirt(b.cpu, b.show_vendor, catalog, false);
  j["qemu"] = format_qemu(b.cpu, catalog);
  nlohmann::json lost = nlohmann::json::array();
  for (size_t i = 0; i < b.given_up.size(); ++i)
    lost.push_back({{"host", b.given_up.host(i)}, {"gives_up", catalog.names(b.given_up.features(i))}});
  j["hosts"] = lost;
  return j;
}

}  // namespace preflight
