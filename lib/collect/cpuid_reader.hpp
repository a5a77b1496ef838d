#pragma once
// Raw CPUID of one logical CPU of this machine, every leaf and sub-leaf that
// cpuid_enumerate.hpp enumerates.
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

enum class CpuidMethod { pinned_instruction, dev_cpuid };

// The name facts use for a method: "instruction" or "dev-cpuid".
const char* cpuid_method_name(CpuidMethod method);

struct CpuidRead {
  std::vector<CpuidLeaf> leaves;
  CpuidMethod method = CpuidMethod::pinned_instruction;  // which one answered
};

// First the CPUID instruction with the calling thread pinned to `cpu`
// (sched_setaffinity; the thread's previous mask is restored before returning),
// then, when pinning is refused (CPU offline, outside the cpuset), /dev/cpu/N/cpuid
// (pread of 16 bytes at offset (subleaf << 32) | leaf; needs the cpuid module).
// The two can answer differently (a nested hypervisor may trap them apart); the
// instruction is preferred because it is what libvirt's host CPU detection and
// every process see. Throws Error "cpu N: ..." naming both failures when neither works.
CpuidRead read_cpuid_on_cpu(unsigned cpu);
// read_cpuid_on_cpu(cpu).leaves.
std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu);

// One method only, no fallback; throws Error "cpu N: ..." when it fails.
std::vector<CpuidLeaf> read_cpuid_leaves_on_cpu(unsigned cpu, CpuidMethod method);

}  // namespace preflight
