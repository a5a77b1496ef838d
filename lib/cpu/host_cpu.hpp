#pragma once
// What a host's CPU offers guests, and what a VM's guest sees on its source host.
// Both resolve facts (raw CPUID, libvirt CPU descriptions, firmware state) into
// catalog feature sets; pure, no I/O.
#include <optional>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"
#include "facts/host_facts.hpp"
#include "facts/vm_facts.hpp"

namespace preflight {

enum class CpuOrigin {
  cpuid,        // decoded from raw CPUID leaves (and MSRs)
  libvirt_cpu,  // expanded from a libvirt <cpu> description (model + features)
};

struct HostCpu {
  std::string host;         // HostFacts::name
  CpuOrigin origin = CpuOrigin::cpuid;
  int vendor = -1;          // catalog vendor index; -1 when unknown
  std::string vendor_name;  // catalog name (Intel), else as reported; empty when unknown
  bool vendor_explicit = false;  // stated by the facts, not inferred from a model name
  std::optional<CpuSignature> signature;
  std::string microcode;    // empty when unknown
  std::string model;        // the model a libvirt description names; empty from CPUID
  bool hypervisor = false;  // the CPU says it is a virtual CPU (CPUID leaf 1 ECX bit 31)
  CpuFeatureSet silicon;    // what the CPU reports (CPUID / the description), errata dropped
  CpuFeatureSet errata_off;    // reported, but dropped for a CPU erratum as libvirt does (cpu_errata.hpp)
  CpuFeatureSet firmware_off;  // reported but switched off in firmware (per FirmwareFacts)
  CpuFeatureSet features;   // usable by guests: silicon minus firmware_off
  // Features the input cannot tell (a leaf or MSR it did not carry): neither in
  // `silicon` nor absent. Never overlaps `silicon`.
  CpuFeatureSet unknown;
  std::string msrs_reason;  // why the MSRs are not known; empty when they were read
};

// Raw CPUID when the facts have it, else cpu.libvirt_cpu. Throws Error naming the
// host when neither is known.
HostCpu resolve_host_cpu(const HostFacts& host, const CpuCatalog& catalog);

// A host known only by a libvirt <cpu> description (what resolve_host_cpu does
// for such facts, without needing HostFacts). `where` names it in errors.
HostCpu resolve_cpu_definition(const CpuDefinition& def, const std::string& host, const std::string& where,
                               const CpuCatalog& catalog);
// The same straight from a <cpu> element, without building a CpuDefinition's
// feature list (baselines of thousands of CPU descriptions).
HostCpu resolve_cpu_element(const pugi::xml_node& node, const std::string& host, const std::string& where,
                            const CpuCatalog& catalog);

// The CPUID hypervisor bit as a set (empty when cpu_map lacks it). QEMU sets it for
// every guest, so a destination without it (bare metal) takes any guest that has it:
// comparisons leave it out.
CpuFeatureSet hypervisor_bit(const CpuCatalog& catalog);

// The features a <cpu> definition gives: the model's (without its removed ones)
// plus features listed. With honour_policies, require/force add, disable/forbid
// remove, optional adds only what `host` has (nothing when host is null); without,
// every listed feature adds (libvirt's reading of a host CPU). `where` names the
// definition in errors (unknown model or feature).
CpuFeatureSet expand_definition(const CpuDefinition& cpu, const CpuCatalog& catalog, bool honour_policies,
                                const CpuFeatureSet* host, const std::string& where);

struct GuestCpu {
  std::string mode;   // custom|host-model|host-passthrough|maximum
  int vendor = -1;
  std::optional<CpuSignature> signature;  // host-passthrough/maximum only
  std::string model;  // custom: the named model; host-model: the expansion's model
  CpuFeatureSet features;
  std::vector<std::string> notes;  // how the set was obtained when it is not exact
};

// What `vm` sees on `source` (its current host). A VM without <cpu> gets QEMU's
// default model qemu64 (noted). Throws Error naming the VM when a fact it needs is
// unknown.
GuestCpu guest_cpu(const VmFacts& vm, const HostFacts& source, const CpuCatalog& catalog);

}  // namespace preflight
