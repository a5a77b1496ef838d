#pragma once
// Shared by the CPU subcommands: HOST/FILE arguments to resolved host CPUs.
#include <optional>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/host_cpu.hpp"

namespace preflight::cli {

// Every host the arguments name (a file may describe several), in order, with
// its facts; throws Error from the loader or the resolver.
// Hosts of files that share a name are told apart by their folders
// (name_file_hosts_apart: facts.yaml of web01/ and web02/ are two hosts).
std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, Context& ctx);
// The same, per argument.
std::vector<std::vector<HostFacts>> load_hosts_per_argument(const std::vector<std::string>& args, Context& ctx);

// The CPUs of `arg` when it is not an inventory host and is a file holding only
// top-level <cpu> elements (virsh cpu-baseline's input), each named ARG#N (ARG
// alone for one); nullopt otherwise. Throws Error naming the CPU for a bad one.
std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, Context& ctx, const CpuCatalog& catalog);

// Prints, one per line on `out`, what each host gives up; at most `limit` lines.
void print_given_up(std::ostream& out, const std::vector<std::pair<std::string, std::vector<std::string>>>& losses,
                    size_t limit);

}  // namespace preflight::cli
