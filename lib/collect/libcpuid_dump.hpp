#pragma once
// libcpuid's raw CPUID dump: what `cpuid_tool --save=FILE` (cpuid_serialize_raw_data
// or cpuid_serialize_all_raw_data) writes. Lines `name[index]=EAX EBX ECX EDX` (hex
// words), an optional `version=` line, and in multi-CPU dumps (libcpuid >= 0.6.0)
// `___ Logical CPU #N ___` headers. The arrays and the (leaf, subleaf) they hold:
//   basic_cpuid[i]      leaf i, subleaf 0            (i < 32)
//   ext_cpuid[i]        leaf 0x80000000+i, subleaf 0 (i < 32)
//   intel_fn4[i]        leaf 4, subleaf i            (i < 8)
//   intel_fn11[i]       leaf 0xB, subleaf i          (i < 4)
//   intel_fn12h[i]      leaf 0x12, subleaf i         (i < 4)
//   intel_fn14h[i]      leaf 0x14, subleaf i         (i < 4)
//   amd_fn8000001dh[i]  leaf 0x8000001D, subleaf i   (i < 4)
// libcpuid writes every slot, valid or not; the parser keeps the leaves the CPU
// declares (basic up to leaf 0 EAX, extended up to 0x80000000 EAX) and the
// sub-leaves the enumeration rules of cpuid_enumerate.hpp accept. A dump cannot
// carry what libcpuid does not record: leaves >= 32 / 0x80000020, and sub-leaves
// of 7, 0xD, 0xF, 0x10, 0x1F... (only their subleaf 0).
// Arrays of unknown name (newer libcpuid) are skipped; malformed lines throw.
#include <string>
#include <string_view>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// Cheap content sniff: the first non-blank line is `version=...`, a
// `basic_cpuid[`/`ext_cpuid[` line or a Logical CPU header.
bool looks_like_libcpuid_dump(std::string_view text);

// Leaves of each logical CPU in file order (one entry for a single-CPU dump),
// each ascending by (leaf, subleaf). Throws Error "<origin>:<line>: <what>" on a
// malformed line, and "<origin>: ..." when a CPU has no basic_cpuid[0].
std::vector<std::vector<CpuidLeaf>> parse_libcpuid_dump_cpus(std::string_view text, const std::string& origin);

// Leaves of the first logical CPU of the dump.
std::vector<CpuidLeaf> parse_libcpuid_dump(std::string_view text, const std::string& origin);

// CPU facts of a dump: cpuid (first CPU), cpuid_variants (the others, grouped as
// the local collector does), cpuid_cpus_read, and libcpuid's identification
// (vendor, family, model, stepping, codename, brand). Microcode and kernel flags
// stay unknown: a dump does not carry them.
CpuFacts cpu_facts_from_libcpuid_dump(std::string_view text, const std::string& origin);

}  // namespace preflight
