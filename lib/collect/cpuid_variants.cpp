#include "collect/cpuid_variants.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "collect/sysfs_cpulist.hpp"

namespace preflight {
namespace {

using Key = std::pair<uint32_t, uint32_t>;

std::map<Key, CpuidLeaf> by_key(const std::vector<CpuidLeaf>& leaves) {
  std::map<Key, CpuidLeaf> m;
  for (const CpuidLeaf& l : leaves) m[{l.leaf, l.subleaf}] = l;
  return m;
}

}  // namespace

std::vector<CpuidLeaf> mask_cpu_identifiers(std::vector<CpuidLeaf> leaves) {
  for (CpuidLeaf& l : leaves) {
    switch (l.leaf) {
      case 0x1:
        l.ebx &= 0x00FFFFFFu;
        break;
      case 0xB:
      case 0x1F:
      case 0x80000026:
        l.edx = 0;
        break;
      case 0x8000001E:
        l.eax = 0;
        l.ebx &= ~0xFFu;
        l.ecx &= ~0xFFu;
        break;
      default:
        break;
    }
  }
  return leaves;
}

std::vector<CpuidVariant> group_cpuid_variants(const std::vector<CpuidLeaf>& reference,
                                               const std::vector<CpuidOfCpu>& others) {
  const auto ref = by_key(mask_cpu_identifiers(reference));
  std::vector<std::pair<std::vector<CpuidLeaf>, std::vector<unsigned>>> groups;
  for (const CpuidOfCpu& c : others) {
    const auto mine = by_key(mask_cpu_identifiers(c.leaves));
    std::map<Key, CpuidLeaf> diff;
    for (const auto& [k, l] : mine) {
      auto it = ref.find(k);
      if (it == ref.end() || !(it->second == l)) diff[k] = l;
    }
    for (const auto& [k, l] : ref)
      if (!mine.count(k)) diff[k] = CpuidLeaf{k.first, k.second, 0, 0, 0, 0};
    if (diff.empty()) continue;
    std::vector<CpuidLeaf> leaves;
    for (auto& [k, l] : diff) leaves.push_back(l);
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == leaves; });
    if (g == groups.end()) {
      groups.emplace_back(std::move(leaves), std::vector<unsigned>{c.cpu});
    } else {
      g->second.push_back(c.cpu);
    }
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return *std::min_element(a.second.begin(), a.second.end()) < *std::min_element(b.second.begin(), b.second.end());
  });
  std::vector<CpuidVariant> out;
  for (auto& [leaves, cpus] : groups) out.push_back(CpuidVariant{format_cpulist(cpus), std::move(leaves)});
  return out;
}

}  // namespace preflight
