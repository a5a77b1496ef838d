#pragma once
// A file of top-level <cpu> elements (what `virsh cpu-baseline` reads, possibly
// thousands), read straight into host CPUs. Pure: takes the text.
#include <optional>
#include <string>
#include <vector>

#include "cpu/host_cpu.hpp"

namespace preflight {

// The CPUs of `text` when it holds only top-level <cpu> elements, each named NAME#N
// (NAME alone for one); nullopt when it is something else (the host loader then
// says what). Throws Error naming the CPU for a bad one (unknown model or feature,
// a feature listed twice).
std::optional<std::vector<HostCpu>> cpus_from_text(std::string text, const std::string& name,
                                                   const CpuCatalog& catalog);

}  // namespace preflight
