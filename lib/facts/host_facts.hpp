#pragma once
// HostFacts: everything preflight knows about one hypervisor host. Plain data,
// written by collectors, read by analysis, round-tripped through YAML
// (facts/facts_yaml.hpp). Sizes are in KiB for memory and bytes for storage.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/fact.hpp"
#include "facts/cpu_definition.hpp"
#include "facts/guest_offer.hpp"
#include "facts/vm_facts.hpp"

namespace preflight {

struct CpuidLeaf {
  uint32_t leaf = 0;     // EAX input
  uint32_t subleaf = 0;  // ECX input (0 for leaves without sub-leaves)
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
  bool operator==(const CpuidLeaf&) const = default;
};

// Leaves of some logical CPUs that differ from CPU 0's (hybrid cores, odd firmware).
// Per-CPU identifiers (APIC ids) are not counted as differences.
struct CpuidVariant {
  std::string cpus;  // kernel cpulist syntax, e.g. "8-15"
  std::vector<CpuidLeaf> leaves;
  bool operator==(const CpuidVariant&) const = default;
};

struct MsrValue {
  uint32_t index = 0;
  uint64_t value = 0;
  bool operator==(const MsrValue&) const = default;
};

struct CpuFacts {
  Fact<std::string> vendor;  // CPUID vendor string: GenuineIntel, AuthenticAMD, ...
  Fact<uint32_t> family;     // display family
  Fact<uint32_t> model;      // display model
  Fact<uint32_t> stepping;
  Fact<std::string> codename;  // libcpuid's name; identification only
  Fact<std::string> brand;
  Fact<std::string> microcode;  // "0x..." as the kernel reports it
  // Raw CPUID of logical CPU 0, every leaf and sub-leaf, ascending (leaf, subleaf).
  Fact<std::vector<CpuidLeaf>> cpuid;
  Fact<uint32_t> cpuid_cpus_read;  // how many logical CPUs were read
  // Where `cpuid` came from: "instruction" (the CPUID instruction pinned to each
  // CPU: what libvirt's host CPU detection and every process see; preferred),
  // "dev-cpuid" (/dev/cpu/N/cpuid, used only when pinning was refused), or the
  // recorded source it was read from (a file, an injected reader).
  Fact<std::string> cpuid_source;
  // The reference CPU's leaves where a second source (/dev/cpu/N/cpuid for the
  // instruction) answered differently from cpuid_source, as that second source
  // answered them (identifiers masked as in cpuid_variants; a pair it lacks has
  // every register 0). Empty: both agree. Unknown: not cross-checked, and why.
  Fact<std::vector<CpuidLeaf>> cpuid_disagreement;
  std::vector<CpuidVariant> cpuid_variants;
  // Feature MSRs (arch capabilities etc.) as KVM offers them; an MSR not listed
  // is absent. Unknown when the source cannot read or record MSRs: then every
  // MSR feature is unknown, not absent.
  Fact<std::vector<MsrValue>> msrs;
  // The CPU as libvirt reports it (capabilities <host><cpu>), or as given by a CPU file.
  Fact<CpuDefinition> libvirt_cpu;
  // libvirt's host-model expansion (domain capabilities), what a host-model guest sees:
  // the kvm offer's when there is one, else the qemu offer's (HostFacts::offers).
  Fact<CpuDefinition> host_model;
  // Who stated this CPU when it was not collected, e.g. "the inventory's cpu: FILE";
  // empty when collected. A stated CPU overrides what libvirt reports, offers included.
  std::string stated_by;
  // Named features decoded from the raw leaves at collection time (informational;
  // analysis decodes from `cpuid` itself when present).
  Fact<std::vector<std::string>> features;
  Fact<std::vector<std::string>> kernel_flags;  // /proc/cpuinfo "flags" of CPU 0
  bool operator==(const CpuFacts&) const = default;
};

// What firmware, microcode or the kernel switched off. Each is unknown where the
// source cannot tell (a CPU file carries no firmware state).
struct FirmwareFacts {
  Fact<bool> virtualization;  // VT-x / AMD-V usable (not locked off by firmware)
  Fact<bool> nx;
  Fact<bool> aes;
  Fact<bool> x2apic;
  Fact<bool> sgx;
  Fact<bool> smt;           // SMT active
  Fact<std::string> tsx;    // "enabled" | "disabled" | "not-present" (kernel/microcode state)
  Fact<bool> iommu;         // an IOMMU is present and enabled
  Fact<std::map<std::string, std::string>> vulnerabilities;  // /sys/.../vulnerabilities/*
  bool operator==(const FirmwareFacts&) const = default;
};

struct HugepagePool {
  uint64_t size_kib = 0;
  uint64_t total = 0;  // pages
  uint64_t free = 0;   // pages
  bool operator==(const HugepagePool&) const = default;
};

struct MemoryFacts {
  Fact<uint64_t> total_kib;
  Fact<uint64_t> free_kib;
  std::string free_note;  // how free_kib was obtained when derived, e.g. "total minus running domains"
  Fact<std::vector<HugepagePool>> hugepages;
  bool operator==(const MemoryFacts&) const = default;
};

struct TopologyFacts {
  Fact<uint32_t> cpus;  // logical CPUs online; ids are 0..cpus-1 unless online says otherwise
  Fact<std::string> online;  // kernel cpulist of online CPU ids, e.g. "0-15"
  Fact<uint32_t> sockets;
  Fact<uint32_t> cores_per_socket;
  Fact<uint32_t> threads_per_core;
  Fact<uint32_t> numa_nodes;
  Fact<uint32_t> mhz;
  bool operator==(const TopologyFacts&) const = default;
};

struct HypervisorFacts {
  Fact<std::string> driver;              // "QEMU", "Test", ...
  Fact<std::string> libvirt_version;     // "9.0.0"
  Fact<std::string> hypervisor_version;  // QEMU "7.2.0"
  Fact<std::vector<std::string>> machine_types;  // x86_64 machine names and canonical names
  Fact<std::vector<std::string>> emulators;
  Fact<std::vector<std::string>> firmware;  // loader paths offered (domain capabilities)
  bool operator==(const HypervisorFacts&) const = default;
};

struct PortGroup {
  std::string name;
  bool is_default = false;
  bool operator==(const PortGroup&) const = default;
};

struct NetworkFacts {  // a libvirt network
  std::string name;
  std::string forward_mode;  // nat|route|open|bridge|passthrough|private|vepa|hostdev; "" = isolated
  std::string bridge;        // bridge device, when any
  std::vector<std::string> forward_devs;  // physical devices of <forward>
  std::vector<PortGroup> portgroups;
  std::vector<std::string> subnets;  // CIDR of each <ip>
  bool active = false;
  bool operator==(const NetworkFacts&) const = default;
};

struct BridgeMember {
  std::string name;
  Fact<bool> physical;  // a physical NIC (a bond of NICs counts)
  bool operator==(const BridgeMember&) const = default;
};

struct BridgeFacts {  // a host bridge (libvirt interface or /sys/class/net)
  std::string name;
  std::vector<BridgeMember> members;
  std::vector<std::string> subnets;  // CIDR of the bridge's own addresses
  bool operator==(const BridgeFacts&) const = default;
};

// A network interface that can carry a migration: a physical NIC, or a bond, VLAN
// or team whose lower devices all are (/sys/class/net; bridges and virtual devices
// are not listed, their own members are).
struct NicFacts {
  std::string name;
  // Link speed the driver reports (/sys/class/net/NAME/speed), Mbit/s. Unknown when
  // the link is down or the driver reports none (-1): never a zero.
  Fact<uint64_t> speed_mbps;
  bool up = false;  // operstate "up"
  bool operator==(const NicFacts&) const = default;
};

struct PoolSource {
  std::vector<std::string> hosts;    // NFS server, iSCSI portal, RBD monitors
  std::string dir;                   // NFS export / gluster dir
  std::vector<std::string> devices;  // iSCSI target IQN, disk/logical PVs
  std::string name;                  // RBD pool, logical VG, gluster volume
  std::string adapter;               // FC: "wwnn:wwpn" (fc_host) or SCSI adapter name
  std::string format;                // nfs, ext4, lvm2, ...
  bool operator==(const PoolSource&) const = default;
};

struct VolumeFacts {
  std::string name;
  std::string path;
  std::string type;    // file|block|dir|network|netdir|ploop
  std::string format;  // raw, qcow2, ...
  Fact<uint64_t> capacity_bytes;
  Fact<uint64_t> allocation_bytes;
  bool operator==(const VolumeFacts&) const = default;
};

struct PoolFacts {
  std::string name;
  std::string type;  // dir|fs|netfs|logical|disk|iscsi|iscsi-direct|scsi|mpath|rbd|sheepdog|gluster|zfs|vstorage
  PoolSource source;
  std::string target_path;
  bool active = false;
  Fact<uint64_t> capacity_bytes;
  Fact<uint64_t> available_bytes;
  std::vector<VolumeFacts> volumes;
  bool operator==(const PoolFacts&) const = default;
};

struct MountFacts {
  std::string mountpoint;
  std::string fstype;  // as the kernel names it (nfs4, ceph, gfs2, fuse.glusterfs...)
  std::string source;  // server:/export, device
  bool shared = false;  // a network or cluster filesystem
  bool operator==(const MountFacts&) const = default;
};

struct HostFacts {
  std::string name;            // inventory name (or hostname when collected alone)
  std::string source;          // where the facts came from: "local", a libvirt URI, a file path
  Fact<std::string> hostname;
  Fact<std::string> host_uuid;
  Fact<std::string> arch;      // x86_64
  CpuFacts cpu;
  FirmwareFacts firmware;
  MemoryFacts memory;
  TopologyFacts topology;
  HypervisorFacts hypervisor;
  // What the hypervisor offers guests, one entry per domain type it supports
  // (capabilities' guest/arch/domain), from domain capabilities.
  Fact<std::vector<GuestOffer>> offers;
  Fact<std::vector<NetworkFacts>> networks;
  Fact<std::vector<BridgeFacts>> bridges;
  // The host's NICs and their speeds. Which one carries migrations is not a fact
  // the collector knows; the estimate picks one and says which (check/estimate_run.hpp).
  Fact<std::vector<NicFacts>> nics;
  Fact<std::vector<PoolFacts>> pools;
  Fact<std::vector<MountFacts>> mounts;
  Fact<std::vector<VmFacts>> vms;
  Fact<std::string> migration_address;  // host[:port] the destination accepts migrations on
  std::string pool_membership;  // inventory "pool:" (cluster); empty when none
  bool operator==(const HostFacts&) const = default;
};

// The VM named `name` on `host`; null when its VM list is unknown or lacks it.
inline const VmFacts* find_vm(const HostFacts& host, std::string_view name) {
  if (const auto* vms = host.vms.get())
    for (const auto& v : *vms)
      if (v.name == name) return &v;
  return nullptr;
}

}  // namespace preflight
