#pragma once
// VmFacts: one virtual machine as its domain XML describes it. Memory in KiB,
// storage in bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "core/fact.hpp"
#include "facts/cpu_definition.hpp"

namespace preflight {

struct DiskFacts {
  std::string type;    // file|block|network|volume|dir
  std::string device;  // disk|cdrom|floppy|lun
  std::string target;  // vda, sda, hdc
  std::string source;  // file path, device path, "protocol://host/name", "pool/volume"; empty = no media
  std::string protocol;  // network disks: rbd, iscsi, nbd, gluster...
  std::vector<std::string> hosts;  // network disks: host[:port]
  std::string pool, volume;        // type='volume'
  std::string format;  // raw, qcow2, ...
  std::string cache;   // none|writethrough|writeback|directsync|unsafe|default; empty = default
  bool shareable = false;
  bool readonly = false;
  Fact<uint64_t> capacity_bytes;
  Fact<uint64_t> allocation_bytes;
  bool operator==(const DiskFacts&) const = default;
};

struct InterfaceFacts {
  std::string type;       // network|bridge|direct|ethernet|user|hostdev|vhostuser
  std::string network;    // type='network'
  std::string portgroup;  // type='network', optional
  std::string bridge;     // type='bridge'
  std::string device;     // type='direct' source dev
  std::string mac;
  std::string model;
  bool operator==(const InterfaceFacts&) const = default;
};

struct CharDeviceFacts {
  std::string kind;    // serial|parallel|console|channel
  std::string type;    // pty|dev|file|tcp|unix|spiceport|...
  std::string source;  // path or host:port; empty when none
  bool operator==(const CharDeviceFacts&) const = default;
};

struct HostdevFacts {
  std::string type;     // pci|usb|mdev|scsi|scsi_host
  std::string mode;     // subsystem|capabilities
  std::string address;  // "0000:03:00.0", "usb 046d:c52b", mdev uuid
  bool operator==(const HostdevFacts&) const = default;
};

struct VcpuPin {
  uint32_t vcpu = 0;
  std::string cpuset;  // libvirt cpuset syntax "0-3,^2"
  bool operator==(const VcpuPin&) const = default;
};

struct CpuTuneFacts {
  std::vector<VcpuPin> vcpupins;
  std::string emulatorpin;  // cpuset; empty when none
  std::string vcpu_cpuset;  // <vcpu cpuset='...'>; empty when none
  bool operator==(const CpuTuneFacts&) const = default;
};

struct VmFacts {
  std::string name;
  std::string uuid;
  std::string state;  // facts/vm_state.hpp names the values; vm_is_active() there says which hold resources
  std::string virt_type;  // <domain type>: kvm|qemu|...; empty when the facts do not say
  uint64_t memory_kib = 0;
  uint64_t current_memory_kib = 0;
  uint32_t vcpus = 0;
  bool hugepages = false;
  uint64_t hugepage_size_kib = 0;  // 0 = default size
  bool has_cpu = false;  // the domain XML had a <cpu> element
  CpuDefinition cpu;
  std::string arch;
  std::string machine_type;
  std::string emulator;
  std::string loader;  // firmware loader path; empty = default BIOS
  std::string nvram;
  std::string tpm;     // "model/backend", e.g. "tpm-crb/emulator"; empty = none
  std::vector<DiskFacts> disks;
  std::vector<InterfaceFacts> interfaces;
  std::vector<CharDeviceFacts> chardevs;
  std::vector<HostdevFacts> hostdevs;
  CpuTuneFacts cputune;
  bool operator==(const VmFacts&) const = default;
};

}  // namespace preflight
