#pragma once
// A libvirt-style CPU definition: what a <cpu> element says. Used for a VM's guest
// CPU, a host CPU reported by libvirt (capabilities, host-model expansion) and CPU
// files. Plain data; the CPU engine (lib/cpu) gives it meaning.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace preflight {

struct CpuFeatureRef {
  std::string name;    // as written (libvirt spelling preferred: "sse4.1", "avx512f")
  std::string policy;  // require|force|disable|forbid|optional; empty on host CPUs
  bool operator==(const CpuFeatureRef&) const = default;
};

struct CpuSignature {
  uint32_t family = 0;
  uint32_t model = 0;
  std::optional<uint32_t> stepping;
  bool operator==(const CpuSignature&) const = default;
};

struct CpuDefinition {
  std::string mode;      // custom|host-model|host-passthrough|maximum; empty for host CPUs
  std::string match;     // exact|minimum|strict; empty when unset
  std::string check;     // none|partial|full; empty when unset
  std::string arch;      // x86_64 ...; empty when unset
  std::string model;     // cpu_map model name; empty when none
  std::string fallback;  // allow|forbid; empty when unset
  std::string vendor;    // libvirt vendor name: Intel|AMD|Hygon|...; empty when unset
  std::optional<CpuSignature> signature;
  std::string microcode;  // as reported, e.g. "0x2b000590"; empty when unknown
  std::vector<CpuFeatureRef> features;
  bool operator==(const CpuDefinition&) const = default;
};

}  // namespace preflight
