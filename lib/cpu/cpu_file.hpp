#pragma once
// A file of top-level <cpu> elements (what `virsh cpu-baseline` reads, possibly
// thousands), read straight into host CPUs or baseline inputs. Pure: takes the text.
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_baseline.hpp"
#include "cpu/host_cpu.hpp"

namespace preflight {

// The CPUs of a file of top-level <cpu> elements, each named NAME#N (NAME alone for
// one); nullopt when it is something else (the host loader then says what). Throws
// Error naming the CPU for a bad one (unknown model or feature, a feature listed
// twice). Two readings of the same text:
// - baseline_inputs_from_pieces reads one <cpu> at a time, straight into baseline
//   inputs: the commonest form (a model, a vendor, an arch, nothing else) without a
//   parser, each distinct one a kind of its own (BaselineInputs); any other
//   piece parsed in place (it changes `text`) into one reused document (two threads
//   share thousands of them, the answer and its order as one pass's). nullopt also
//   when a piece is not exactly one whole <cpu> (a comment or CDATA holding
//   "</cpu>"...).
// - cpus_from_document parses the text as one document, which decides those.
std::optional<BaselineInputs> baseline_inputs_from_pieces(std::string& text, const std::string& name,
                                                          const CpuCatalog& catalog);
std::optional<std::vector<HostCpu>> cpus_from_document(std::string text, const std::string& name,
                                                       const CpuCatalog& catalog);

}  // namespace preflight
