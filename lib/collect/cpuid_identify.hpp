#pragma once
// CPU identification by libcpuid (cpu_identify on raw leaves): vendor string,
// display family/model (extended fields folded in), stepping, codename, brand.
// Identification only; libcpuid's feature flags are not used.
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// Sets vendor, family, model, stepping, codename and brand of `cpu` from `leaves`
// (no instruction is executed). When libcpuid cannot identify them, each is
// unknown with libcpuid's error as the reason. An empty brand string stays unknown.
void identify_cpu(const std::vector<CpuidLeaf>& leaves, CpuFacts& cpu);

}  // namespace preflight
