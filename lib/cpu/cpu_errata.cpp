#include "cpu/cpu_errata.hpp"

namespace preflight {

const std::vector<CpuErratum>& cpu_errata() {
  static const std::vector<CpuErratum> table = [] {
    const std::vector<std::string> tsx = {"hle", "rtm"};
    const std::string why = "TSX is broken on Intel Haswell (family 6 models 60, 69, 70; model 63 before stepping 4): "
                            "libvirt drops hle and rtm";
    return std::vector<CpuErratum>{
        {"Intel", 6, 60, 0, tsx, why},
        {"Intel", 6, 69, 0, tsx, why},
        {"Intel", 6, 70, 0, tsx, why},
        {"Intel", 6, 63, 0x000f, tsx, why},  // steppings 0-3
    };
  }();
  return table;
}

std::vector<const CpuErratum*> errata_of(int vendor, const std::optional<CpuSignature>& signature,
                                         const CpuCatalog& catalog) {
  std::vector<const CpuErratum*> out;
  if (vendor < 0 || !signature) return out;
  const std::string& name = catalog.vendors()[static_cast<size_t>(vendor)].name;
  for (const CpuErratum& e : cpu_errata()) {
    if (e.vendor != name || e.family != signature->family || e.model != signature->model) continue;
    if (e.steppings != 0) {
      const auto s = signature->stepping;
      if (!s || *s >= 16 || !((e.steppings >> *s) & 1U)) continue;
    }
    out.push_back(&e);
  }
  return out;
}

CpuFeatureSet errata_features(const std::vector<const CpuErratum*>& errata, const CpuCatalog& catalog) {
  CpuFeatureSet set;
  for (const CpuErratum* e : errata)
    for (const std::string& f : e->features)
      if (auto id = catalog.find_feature(f)) set.set(*id);
  return set;
}

}  // namespace preflight
