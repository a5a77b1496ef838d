#pragma once
// CPU errata for which libvirt drops features a CPU reports (x86DataFilterTSX in
// libvirt's src/cpu/cpu_x86.c): the features are broken on those CPUs, so libvirt
// neither names them in the host CPU nor lets host-model or a baseline use them.
// The table is data; matching is by vendor and CPUID signature.
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"
#include "facts/cpu_definition.hpp"

namespace preflight {

struct CpuErratum {
  std::string vendor;        // catalog vendor name ("Intel")
  uint32_t family = 0, model = 0;
  uint16_t steppings = 0;    // bit n: stepping n affected; 0: every stepping
  std::vector<std::string> features;  // libvirt names dropped
  std::string why;           // for messages: what is broken, and on which CPUs
};

// libvirt 9.0's list: TSX (hle, rtm) on Intel family 6 models 60, 69, 70 (Haswell)
// and 63 steppings 0-3 (Haswell-E/EP before stepping 4).
const std::vector<CpuErratum>& cpu_errata();

// The errata that apply to a CPU of `vendor` (catalog index, -1 unknown) and
// `signature` (nullopt: none applies). A signature without stepping matches only
// errata that affect every stepping.
std::vector<const CpuErratum*> errata_of(int vendor, const std::optional<CpuSignature>& signature,
                                         const CpuCatalog& catalog);

// The catalog features those errata drop (names cpu_map lacks are skipped).
CpuFeatureSet errata_features(const std::vector<const CpuErratum*>& errata, const CpuCatalog& catalog);

}  // namespace preflight
