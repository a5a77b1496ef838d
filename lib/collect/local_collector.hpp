#pragma once
// Facts of this machine, read from the CPU (raw CPUID on every online logical CPU,
// libcpuid for identification only), /proc and /sys. Nothing is printed.
//
// Every reader that fails leaves its facts unknown with the reason (path and
// errno text) and the others go on; collect_local itself does not throw.
// Hypervisor facts, libvirt networks, pools, VMs and the migration address are
// unknown: local collection reads the machine only (use --libvirt URI).
// Host bridges carry no subnets (addresses need netlink; empty = not collected).
#include <functional>
#include <string>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

struct LocalCollectOptions {
  // Every /proc and /sys path is read below this directory; "/" is the live machine.
  std::string root = "/";
  // CPUID of one logical CPU; throws Error when it cannot. Empty: the instruction
  // on this machine (read_cpuid_leaves_on_cpu) — set it whenever `root` is not
  // this machine's, e.g. to a recorded dump.
  std::function<std::vector<CpuidLeaf>(unsigned cpu)> read_cpuid;
  // The feature MSRs (cpu.msrs); throws Error when it cannot. Empty: KVM's
  // (read_kvm_feature_msrs) when `root` is "/", none otherwise.
  std::function<std::vector<MsrValue>()> read_msrs;
};

// name = the hostname ("localhost" when unreadable); source = "local", or
// "local:<root>" when root is not "/".
// CPUID: the lowest-numbered online CPU that could be read (CPU 0 normally) is the
// reference in cpu.cpuid; the others that differ are in cpu.cpuid_variants
// (cpuid_variants.hpp); cpu.cpuid_cpus_read counts the CPUs read, which is less
// than topology.cpus when some could not be.
HostFacts collect_local(const LocalCollectOptions& opts);

}  // namespace preflight
