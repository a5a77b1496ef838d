#pragma once
// The readers collect_local is made of (internal to lib/collect). Each fills its
// part of HostFacts and catches its own errors, leaving unknown facts with reasons.
#include <map>
#include <string>
#include <vector>

#include "collect/local_collector.hpp"
#include "collect/local_root.hpp"

namespace preflight::local {

// /proc/cpuinfo blocks, or the reason they could not be read.
struct Cpuinfo {
  std::vector<std::map<std::string, std::string>> blocks;
  std::string error;  // empty when read
};

void read_identity(const LocalRoot& root, HostFacts& h);
void read_memory(const LocalRoot& root, HostFacts& h);
void read_topology(const LocalRoot& root, const Cpuinfo& cpuinfo, HostFacts& h);
// Needs topology.online.
void read_cpu(const LocalRoot& root, const LocalCollectOptions& opts, const Cpuinfo& cpuinfo, HostFacts& h);
// Needs cpu.cpuid, cpu.vendor, cpu.kernel_flags and topology.
void read_firmware(const LocalRoot& root, HostFacts& h);
void read_bridges(const LocalRoot& root, HostFacts& h);
void read_nics(const LocalRoot& root, HostFacts& h);
void read_mounts(const LocalRoot& root, HostFacts& h);

}  // namespace preflight::local
