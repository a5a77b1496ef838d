#pragma once
// libvirt's raw CPU data XML: what libvirt's tests/cputestdata holds for real CPUs
// (x86_64-cpuid-NAME.xml, written by its cpu-data.py / cpu-cpuid.py):
//   <cpudata arch='x86'>
//     <cpuid eax_in='0x7' ecx_in='0x0' eax='..' ebx='..' ecx='..' edx='..'/>
//     <msr index='0x10a' edx='..' eax='..'/>
//   </cpudata>
// Every value is a hexadecimal (0x...) or decimal 32-bit number. The file carries
// what libvirt read: the leaves it holds are the CPU's; an MSR not listed is absent.
#include <string>
#include <string_view>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

struct LibvirtCpuData {
  std::vector<CpuidLeaf> leaves;  // ascending by (leaf, subleaf)
  std::vector<MsrValue> msrs;     // in file order; edx is the high half
};

// Throws Error "<origin>:<line>:<col>: <what>" for malformed XML or a bad number,
// "<origin>: ..." when the root is not <cpudata arch='x86'> or there is no leaf 0,
// each saying what to give instead.
LibvirtCpuData parse_libvirt_cpudata(std::string_view text, const std::string& origin);

// CPU facts of such a file: cpuid, msrs, cpuid_source, and identification from
// the leaves (vendor, family, model, stepping, brand). Microcode and kernel flags
// stay unknown: the file does not carry them.
CpuFacts cpu_facts_from_libvirt_cpudata(std::string_view text, const std::string& origin);

}  // namespace preflight
