#pragma once
// A file of top-level <cpu> elements (what `virsh cpu-baseline` reads, possibly
// thousands), read straight into host CPUs. Pure: takes the text.
#include <optional>
#include <string>
#include <vector>

#include "cpu/host_cpu.hpp"

namespace preflight {

// The CPUs of a file of top-level <cpu> elements, each named NAME#N (NAME alone for
// one); nullopt when it is something else (the host loader then says what). Throws
// Error naming the CPU for a bad one (unknown model or feature, a feature listed
// twice). Two readings of the same text:
// - cpus_from_pieces parses one <cpu> at a time into one reused document, in place
//   (it changes `text`), so memory stays at one CPU's worth (two threads share
//   thousands of them, the answer and its order as one pass's); nullopt also when a
//   piece is not exactly one whole <cpu> (a comment or CDATA holding "</cpu>"...).
// - cpus_from_document parses the text as one document, which decides those.
std::optional<std::vector<HostCpu>> cpus_from_pieces(std::string& text, const std::string& name,
                                                     const CpuCatalog& catalog);
std::optional<std::vector<HostCpu>> cpus_from_document(std::string text, const std::string& name,
                                                       const CpuCatalog& catalog);

}  // namespace preflight
