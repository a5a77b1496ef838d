#include "collect/cpuid_identify.hpp"

#include <libcpuid/libcpuid.h>

#include <cstring>
#include <string>

#include "core/text.hpp"

namespace preflight {
namespace {

void put(uint32_t (&row)[NUM_REGS], const CpuidLeaf& l) {
  row[EAX] = l.eax;
  row[EBX] = l.ebx;
  row[ECX] = l.ecx;
  row[EDX] = l.edx;
}

cpu_raw_data_t to_raw(const std::vector<CpuidLeaf>& leaves) {
  cpu_raw_data_t raw;
  std::memset(&raw, 0, sizeof raw);
  for (const CpuidLeaf& l : leaves) {
    const uint32_t s = l.subleaf;
    if (s == 0 && l.leaf < MAX_CPUID_LEVEL) put(raw.basic_cpuid[l.leaf], l);
    if (s == 0 && l.leaf >= 0x80000000u && l.leaf - 0x80000000u < MAX_EXT_CPUID_LEVEL)
      put(raw.ext_cpuid[l.leaf - 0x80000000u], l);
    if (l.leaf == 0x4 && s < MAX_INTELFN4_LEVEL) put(raw.intel_fn4[s], l);
    if (l.leaf == 0xB && s < MAX_INTELFN11_LEVEL) put(raw.intel_fn11[s], l);
    if (l.leaf == 0x12 && s < MAX_INTELFN12H_LEVEL) put(raw.intel_fn12h[s], l);
    if (l.leaf == 0x14 && s < MAX_INTELFN14H_LEVEL) put(raw.intel_fn14h[s], l);
    if (l.leaf == 0x8000001D && s < MAX_AMDFN8000001DH_LEVEL) put(raw.amd_fn8000001dh[s], l);
  }
  return raw;
}

}  // namespace

void identify_cpu(const std::vector<CpuidLeaf>& leaves, CpuFacts& cpu) {
  cpu_raw_data_t raw = to_raw(leaves);
  cpu_id_t id;
  std::memset(&id, 0, sizeof id);
  if (leaves.empty() || cpu_identify(&raw, &id) != 0) {
    const std::string why =
        leaves.empty() ? "no CPUID leaves to identify" : std::string("libcpuid cpu_identify failed: ") + cpuid_error();
    cpu.vendor = Fact<std::string>::unknown(why);
    cpu.family = Fact<uint32_t>::unknown(why);
    cpu.model = Fact<uint32_t>::unknown(why);
    cpu.stepping = Fact<uint32_t>::unknown(why);
    cpu.codename = Fact<std::string>::unknown(why);
    cpu.brand = Fact<std::string>::unknown(why);
    return;
  }
  const std::string vendor = trim(id.vendor_str);
  cpu.vendor = vendor.empty() ? Fact<std::string>::unknown("CPUID leaf 0 has no vendor string") : Fact(vendor);
  cpu.family = static_cast<uint32_t>(id.ext_family);
  cpu.model = static_cast<uint32_t>(id.ext_model);
  cpu.stepping = static_cast<uint32_t>(id.stepping);
  const std::string codename = trim(id.cpu_codename);
  cpu.codename = codename.empty() ? Fact<std::string>::unknown("libcpuid does not know this CPU") : Fact(codename);
  const std::string brand = trim(id.brand_str);
  cpu.brand = brand.empty() ? Fact<std::string>::unknown("CPUID has no brand string (leaves 0x80000002-4)")
                            : Fact(brand);
}

}  // namespace preflight
