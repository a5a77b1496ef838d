#pragma once
// The hosts and CPUs the CPU subcommands (baseline, compare, mask, matrix) take:
// HOST/FILE arguments to host facts or straight to CPU descriptions. An argument
// "-" is standard input: `standard_input` is its text, read by the caller (null
// when no argument is "-"); its hosts are named "stdin" (stdin#N for several).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/host_cpu.hpp"
#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"

namespace preflight {

// Every host the arguments name (a file may describe several), in order, with
// its facts; `inv` may be null. Hosts of files that share a name are told apart by
// their folders (name_file_hosts_apart: facts.yaml of web01/ and web02/ are two
// hosts). Throws Error from the loader.
std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, const Inventory* inv,
                                  const std::string* standard_input);
// The same, per argument.
std::vector<std::vector<HostFacts>> load_hosts_per_argument(const std::vector<std::string>& args,
                                                            const Inventory* inv, const std::string* standard_input);

// The CPUs of `arg` when it is not an inventory host and is a file holding only
// top-level <cpu> elements (virsh cpu-baseline's input), each named ARG#N (ARG
// alone for one), as baseline inputs; nullopt otherwise. Throws Error naming the
// CPU for a bad one.
std::optional<BaselineInputs> read_cpu_file(const std::string& arg, const Inventory* inv,
                                            const std::string* standard_input, const CpuCatalog& catalog);

// The inputs of a baseline, one per CPU: a file of bare <cpu> elements (possibly
// thousands) is read straight into baseline inputs (each distinct CPU once),
// anything else through the host loader and resolved against `catalog`.
BaselineInputs baseline_inputs(const std::vector<std::string>& args, const Inventory* inv,
                               const std::string* standard_input, const CpuCatalog& catalog);

// The hosts of a matrix, resolved: inventory hosts collected and resolved in
// parallel, files read in place; per host its CPU and what explain_missing reads
// of its facts (explanation_facts, one copy per distinct value: a fleet's facts are
// not kept whole). Throws
// Error naming every host that could not be read, else every host whose CPU cannot
// be resolved, or when fewer than two hosts result.
struct MatrixHosts {
  std::vector<HostCpu> cpus;
  std::vector<std::shared_ptr<const HostFacts>> facts;  // explanation_facts, per host
};
MatrixHosts load_matrix_hosts(const std::vector<std::string>& names, const Inventory* inv,
                              const std::string* standard_input, const CpuCatalog& catalog);

}  // namespace preflight
