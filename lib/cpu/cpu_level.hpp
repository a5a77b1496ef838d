#pragma once
// x86-64 microarchitecture levels (x86-64 psABI): v1 (baseline x86-64), v2, v3, v4.
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"

namespace preflight {

// The highest level whose features (and those of every lower level) are all in
// `set`: 1..4, or 0 when even v1 is not met.
int x86_64_level(const CpuFeatureSet& set, const CpuCatalog& catalog);
// Catalog names of the features level `level` (1..4) adds to the one below.
std::vector<std::string> x86_64_level_features(int level);

}  // namespace preflight
