#pragma once
// Private to facts_yaml_{read,write}.cpp: the one list of YAML keys per facts
// struct, in struct order. Fields<T>::each(s, v) calls v(key, member[, Style]) for
// every member; the writer and the reader are the two visitors, so they cannot
// drift apart. A struct added to the facts model needs a Fields<> here.
#include <span>

#include "facts/guest_offer.hpp"
#include "facts/host_facts.hpp"

namespace preflight::facts_yaml {

// hex: integers written 0x..., zero-padded to their width. count: a list's length,
// under its own key just before the list's. From the count on the writer writes
// every key of the record, also when empty (not an unset optional), and the reader
// refuses a file whose list then has another length or that lacks one of those
// keys: a file cut short between two VMs, or inside the last one, would otherwise
// read as a host with fewer VMs or a VM without its later keys. A count that is
// absent (a file written by hand) asserts nothing.
enum class Style { plain, hex, count };

template <class T>
struct Fields;

// Written as one-line flow maps: small records that read well on a line.
template <class T>
inline constexpr bool kFlow = false;
// Plain structs (no Fact inside) left out entirely when equal to T{}.
template <class T>
inline constexpr bool kOmitWhenDefault = false;

// Keys a record must carry. The reader refuses an entry without one (a VM whose
// memory size is missing is not a VM of 0 KiB: the rules would say go); the writer
// writes them even when empty.
template <class T>
inline constexpr std::span<const char* const> kRequired{};

template <class T>
concept Record = requires { sizeof(Fields<T>); };  // a Fields<T> specialisation exists

// --- cpu_definition.hpp -------------------------------------------------------

template <> inline constexpr bool kFlow<CpuFeatureRef> = true;
template <>
struct Fields<CpuFeatureRef> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("policy", s.policy);
  }
};

template <> inline constexpr bool kFlow<CpuSignature> = true;
template <>
struct Fields<CpuSignature> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("family", s.family);
    v("model", s.model);
    v("stepping", s.stepping);
  }
};

template <> inline constexpr bool kOmitWhenDefault<CpuDefinition> = true;
template <>
struct Fields<CpuDefinition> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("mode", s.mode);
    v("match", s.match);
    v("check", s.check);
    v("arch", s.arch);
    v("model", s.model);
    v("fallback", s.fallback);
    v("vendor", s.vendor);
    v("signature", s.signature);
    v("microcode", s.microcode);
    v("features", s.features);
  }
};

// --- guest_offer.hpp -----------------------------------------------------------

template <> inline constexpr bool kFlow<CpuModelOffer> = true;
template <>
struct Fields<CpuModelOffer> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("usable", s.usable);
    v("vendor", s.vendor);
    v("blockers", s.blockers);
  }
};

template <>
struct Fields<GuestOffer> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("virt_type", s.virt_type);
    v("emulator", s.emulator);
    v("machine", s.machine);
    v("host_model", s.host_model);
    v("host_passthrough", s.host_passthrough);
    v("maximum", s.maximum);
    v("models", s.models);
    v("firmware_supported", s.firmware_supported);
    v("loaders", s.loaders);
  }
};

// --- vm_facts.hpp ---------------------------------------------------------------

template <>
struct Fields<DiskFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("type", s.type);
    v("device", s.device);
    v("target", s.target);
    v("source", s.source);
    v("protocol", s.protocol);
    v("hosts", s.hosts);
    v("pool", s.pool);
    v("volume", s.volume);
    v("format", s.format);
    v("cache", s.cache);
    v("shareable", s.shareable);
    v("readonly", s.readonly);
    v("capacity_bytes", s.capacity_bytes);
    v("allocation_bytes", s.allocation_bytes);
  }
};

template <>
struct Fields<InterfaceFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("type", s.type);
    v("network", s.network);
    v("portgroup", s.portgroup);
    v("bridge", s.bridge);
    v("device", s.device);
    v("mac", s.mac);
    v("model", s.model);
  }
};

template <> inline constexpr bool kFlow<CharDeviceFacts> = true;
template <>
struct Fields<CharDeviceFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("kind", s.kind);
    v("type", s.type);
    v("source", s.source);
  }
};

template <> inline constexpr bool kFlow<HostdevFacts> = true;
template <>
struct Fields<HostdevFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("type", s.type);
    v("mode", s.mode);
    v("address", s.address);
  }
};

template <> inline constexpr bool kFlow<VcpuPin> = true;
template <>
struct Fields<VcpuPin> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("vcpu", s.vcpu);
    v("cpuset", s.cpuset);
  }
};

template <> inline constexpr bool kOmitWhenDefault<CpuTuneFacts> = true;
template <>
struct Fields<CpuTuneFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("vcpupins", s.vcpupins);
    v("emulatorpin", s.emulatorpin);
    v("vcpu_cpuset", s.vcpu_cpuset);
  }
};

inline constexpr const char* kVmRequired[] = {"name", "state", "memory_kib", "current_memory_kib", "vcpus"};
template <> inline constexpr std::span<const char* const> kRequired<VmFacts> = kVmRequired;
template <>
struct Fields<VmFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("uuid", s.uuid);
    v("state", s.state);
    v("virt_type", s.virt_type);
    v("memory_kib", s.memory_kib);
    v("current_memory_kib", s.current_memory_kib);
    v("vcpus", s.vcpus);
    v("hugepages", s.hugepages);
    v("hugepage_size_kib", s.hugepage_size_kib);
    v("has_cpu", s.has_cpu);
    v("cpu", s.cpu);
    v("arch", s.arch);
    v("machine_type", s.machine_type);
    v("emulator", s.emulator);
    v("loader", s.loader);
    v("nvram", s.nvram);
    v("tpm", s.tpm);
    v("disks", s.disks);
    v("interfaces", s.interfaces);
    v("chardevs", s.chardevs);
    v("hostdevs", s.hostdevs);
    v("cputune", s.cputune);
  }
};

// --- host_facts.hpp -------------------------------------------------------------
// CpuidLeaf is not a Record: it is written as [leaf, subleaf, eax, ebx, ecx, edx].

template <>
struct Fields<CpuidVariant> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("cpus", s.cpus);
    v("leaves", s.leaves);
  }
};

template <> inline constexpr bool kFlow<MsrValue> = true;
template <>
struct Fields<MsrValue> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("index", s.index, Style::hex);
    v("value", s.value, Style::hex);
  }
};

template <>
struct Fields<CpuFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("vendor", s.vendor);
    v("family", s.family);
    v("model", s.model);
    v("stepping", s.stepping);
    v("codename", s.codename);
    v("brand", s.brand);
    v("microcode", s.microcode);
    v("cpuid", s.cpuid);
    v("cpuid_cpus_read", s.cpuid_cpus_read);
    v("cpuid_source", s.cpuid_source);
    v("cpuid_disagreement", s.cpuid_disagreement);
    v("cpuid_variants", s.cpuid_variants);
    v("msrs", s.msrs);
    v("libvirt_cpu", s.libvirt_cpu);
    v("host_model", s.host_model);
    v("stated_by", s.stated_by);
    v("features", s.features);
    v("kernel_flags", s.kernel_flags);
  }
};

template <>
struct Fields<FirmwareFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("virtualization", s.virtualization);
    v("nx", s.nx);
    v("aes", s.aes);
    v("x2apic", s.x2apic);
    v("sgx", s.sgx);
    v("smt", s.smt);
    v("tsx", s.tsx);
    v("iommu", s.iommu);
    v("vulnerabilities", s.vulnerabilities);
  }
};

template <> inline constexpr bool kFlow<HugepagePool> = true;
template <>
struct Fields<HugepagePool> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("size_kib", s.size_kib);
    v("total", s.total);
    v("free", s.free);
  }
};

template <>
struct Fields<MemoryFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("total_kib", s.total_kib);
    v("free_kib", s.free_kib);
    v("free_note", s.free_note);
    v("hugepages", s.hugepages);
  }
};

template <>
struct Fields<TopologyFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("cpus", s.cpus);
    v("online", s.online);
    v("sockets", s.sockets);
    v("cores_per_socket", s.cores_per_socket);
    v("threads_per_core", s.threads_per_core);
    v("numa_nodes", s.numa_nodes);
    v("mhz", s.mhz);
  }
};

template <>
struct Fields<HypervisorFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("driver", s.driver);
    v("libvirt_version", s.libvirt_version);
    v("hypervisor_version", s.hypervisor_version);
    v("machine_types", s.machine_types);
    v("emulators", s.emulators);
    v("firmware", s.firmware);
  }
};

template <> inline constexpr bool kFlow<PortGroup> = true;
template <>
struct Fields<PortGroup> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("is_default", s.is_default);
  }
};

template <>
struct Fields<NetworkFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("forward_mode", s.forward_mode);
    v("bridge", s.bridge);
    v("forward_devs", s.forward_devs);
    v("portgroups", s.portgroups);
    v("subnets", s.subnets);
    v("active", s.active);
  }
};

template <> inline constexpr bool kFlow<BridgeMember> = true;
template <>
struct Fields<BridgeMember> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("physical", s.physical);
  }
};

template <>
struct Fields<BridgeFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("members", s.members);
    v("subnets", s.subnets);
  }
};

template <> inline constexpr bool kFlow<NicFacts> = true;
template <>
struct Fields<NicFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("speed_mbps", s.speed_mbps);
    v("up", s.up);
  }
};

template <> inline constexpr bool kOmitWhenDefault<PoolSource> = true;
template <>
struct Fields<PoolSource> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("hosts", s.hosts);
    v("dir", s.dir);
    v("devices", s.devices);
    v("name", s.name);
    v("adapter", s.adapter);
    v("format", s.format);
  }
};

template <>
struct Fields<VolumeFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("path", s.path);
    v("type", s.type);
    v("format", s.format);
    v("capacity_bytes", s.capacity_bytes);
    v("allocation_bytes", s.allocation_bytes);
  }
};

template <>
struct Fields<PoolFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("type", s.type);
    v("source", s.source);
    v("target_path", s.target_path);
    v("active", s.active);
    v("capacity_bytes", s.capacity_bytes);
    v("available_bytes", s.available_bytes);
    v("volumes", s.volumes);
  }
};

template <> inline constexpr bool kFlow<MountFacts> = true;
template <>
struct Fields<MountFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("mountpoint", s.mountpoint);
    v("fstype", s.fstype);
    v("source", s.source);
    v("shared", s.shared);
  }
};

template <>
struct Fields<HostFacts> {
  template <class S, class V> static void each(S& s, V&& v) {
    v("name", s.name);
    v("source", s.source);
    v("hostname", s.hostname);
    v("host_uuid", s.host_uuid);
    v("arch", s.arch);
    v("cpu", s.cpu);
    v("firmware", s.firmware);
    v("memory", s.memory);
    v("topology", s.topology);
    v("hypervisor", s.hypervisor);
    v("offers", s.offers);
    v("networks", s.networks);
    v("bridges", s.bridges);
    v("nics", s.nics);
    v("pools", s.pools);
    v("mounts", s.mounts);
    v("vm_count", s.vms, Style::count);
    v("vms", s.vms);
    v("migration_address", s.migration_address);
    v("pool_membership", s.pool_membership);
  }
};

}  // namespace preflight::facts_yaml
