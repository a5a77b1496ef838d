#pragma once
// Which CPUID (leaf, subleaf) pairs exist on a CPU, discovered by asking it.
// Basic leaves 0..leaf 0 EAX and extended leaves 0x80000000..0x80000000 EAX
// (hypervisor leaves 0x40000000+ are not read). Every leaf gets subleaf 0; these
// get more, each capped to stay finite on garbage answers:
//   4, 0x8000001D      while the cache type (EAX[4:0]) is not 0
//   0xB, 0x1F, 0x80000026  while the level type (ECX[15:8]) is not 0
//   7, 0x14, 0x17, 0x18, 0x1D, 0x1E, 0x20, 0x24  1..EAX of subleaf 0
//   0xD                1, and n in 2..63 set in 0xD.0 EDX:EAX or 0xD.1 EDX:ECX
//   0xF                n in 1..31 set in 0xF.0 EDX
//   0x10               n in 1..31 set in 0x10.0 EBX
//   0x12               1, then 2.. while the sub-leaf type (EAX[3:0]) is not 0
//   0x23               n in 1..31 set in 0x23.0 EAX
//   0x80000020         n in 1..31 set in 0x80000020.0 EBX
// A terminating invalid sub-leaf (type 0) is not kept, except subleaf 0.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// Answers CPUID(leaf, subleaf); nullopt when the source does not have that pair
// (a recorded dump): the pair is skipped and no further sub-leaves of it are asked.
using CpuidQuery = std::function<std::optional<CpuidLeaf>(uint32_t leaf, uint32_t subleaf)>;

// Ascending by (leaf, subleaf). Empty when leaf 0 itself is unavailable.
std::vector<CpuidLeaf> enumerate_cpuid(const CpuidQuery& query);

// The leaf/subleaf in `leaves`, nullptr when absent.
const CpuidLeaf* find_cpuid_leaf(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf = 0);

enum class CpuidReg { eax, ebx, ecx, edx };
// Bit `bit` of a register of a leaf; nullopt when the leaf is absent.
std::optional<bool> cpuid_bit(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf, CpuidReg reg,
                              unsigned bit);

}  // namespace preflight
