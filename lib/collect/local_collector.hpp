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
  // CPUID of one logical CPU; throws Error when it cannot. Empty: this machine's
  // (read_cpuid_on_cpu: the pinned instruction, else /dev/cpu/N/cpuid) — set it
  // whenever `root` is not this machine's, e.g. to a recorded dump.
  std::function<std::vector<CpuidLeaf>(unsigned cpu)> read_cpuid;
  // cpu.cpuid_source when read_cpuid is set.
  std::string read_cpuid_source = "injected reader";
  // A second source of the same CPUID, asked for the reference CPU only, to
  // cross-check (cpu.cpuid_disagreement); throws Error when it cannot. Empty:
  // /dev/cpu/N/cpuid when the live instruction answered, no cross-check otherwise.
  std::function<std::vector<CpuidLeaf>(unsigned cpu)> read_cpuid_crosscheck;
  // The feature MSRs (cpu.msrs); throws Error when it cannot. Empty: KVM's
  // (read_kvm_feature_msrs) when `root` is "/", none otherwise.
  std::function<std::vector<MsrValue>()> read_msrs;
};

// name = the hostname ("localhost" when unreadable); source = "local", or
// "local:<root>" when root is not "/".
// CPUID: the lowest-numbered online CPU that could be read (CPU 0 normally) is the
// reference in cpu.cpuid; the others that differ are in cpu.cpuid_variants
// (cpuid_variants.hpp); cpu.cpuid_cpus_read counts the CPUs read, which is less
// than topology.cpus when some could not be. cpu.cpuid_source says which source
// answered and cpu.cpuid_disagreement where the second source disagrees.
HostFacts collect_local(const LocalCollectOptions& opts);

// What an operator should hear about collected facts that are still usable:
// one line each, without a "warning: " prefix; empty when there is nothing.
// Today: the two CPUID sources disagree (cpu.cpuid_disagreement not empty).
std::vector<std::string> collection_warnings(const HostFacts& facts);

}  // namespace preflight
