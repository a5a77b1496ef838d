#pragma once
// Raw CPUID of one logical CPU of this machine, every leaf and sub-leaf that
// cpuid_enumerate.hpp enumerates.
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// First the CPUID instruction with the calling thread pinned to `cpu`
// (sched_setaffinity; the thread's previous mask is restored before returning),
// then, when pinning is refused (CPU offline, outside the cpuset), /dev/cpu/N/cpuid
// (pread of 16 bytes at offset (subleaf << 32) | leaf; needs the cpuid module).
// Throws Error "cpu N: ..." naming both failures when neither works.
std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu);

// One method only, no fallback; throws Error "cpu N: ..." when it fails.
enum class CpuidMethod { pinned_instruction, dev_cpuid };
std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu, CpuidMethod method);

}  // namespace preflight
