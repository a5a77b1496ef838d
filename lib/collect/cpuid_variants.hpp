#pragma once
// Logical CPUs whose CPUID differs from the reference CPU's, grouped.
//
// Masked before comparing (and stored masked), because they identify the CPU
// rather than describe what it can do:
//   leaf 1 EBX[31:24]        initial APIC id
//   leaf 0xB, 0x1F EDX       x2APIC id
//   leaf 0x8000001E EAX, EBX[7:0], ECX[7:0]   extended APIC id, core id, node id
//   leaf 0x80000026 EDX      extended APIC id
// Kept, because they are real differences: leaf 0x1A (hybrid core type), leaf 4
// (cache sharing, differs between P- and E-cores), everything else.
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// `leaves` with the per-CPU identifiers above set to 0.
std::vector<CpuidLeaf> mask_cpu_identifiers(std::vector<CpuidLeaf> leaves);

struct CpuidOfCpu {
  unsigned cpu = 0;  // logical CPU id
  std::vector<CpuidLeaf> leaves;
};

// For each CPU in `others`: the (masked) leaves that differ from the masked
// `reference` — a value differs, or the pair is missing on one side (a pair the
// CPU lacks is recorded with all registers 0). CPUs with identical differences
// share one variant; CPUs without differences are in none. Ordered by the first
// CPU of each variant.
std::vector<CpuidVariant> group_cpuid_variants(const std::vector<CpuidLeaf>& reference,
                                               const std::vector<CpuidOfCpu>& others);

}  // namespace preflight
