#include "cpu/cpu_level.hpp"

namespace preflight {

std::vector<std::string> x86_64_level_features(int level) {
  // The psABI's list per level, in libvirt's spelling (pni = SSE3, abm = LZCNT,
  // xsave stands for OSXSAVE, which a guest gets from its own kernel).
  switch (level) {
    case 1: return {"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"};
    case 2: return {"cx16", "lahf_lm", "popcnt", "pni", "sse4.1", "sse4.2", "ssse3"};
    case 3: return {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"};
    case 4: return {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"};
    default: return {};
  }
}

int x86_64_level(const CpuFeatureSet& set, const CpuCatalog& catalog) {
  int level = 0;
  for (int l = 1; l <= 4; ++l) {
    if (!catalog.set_of(x86_64_level_features(l), "x86-64 level").subset_of(set)) break;
    level = l;
  }
  return level;
}

}  // namespace preflight
