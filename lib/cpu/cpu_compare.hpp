#pragma once
// Why a destination lacks CPU features, and the two-way difference of two hosts.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cpu/host_cpu.hpp"

namespace preflight {

enum class MissingCause {
  absent_in_silicon,        // bare-metal CPUID of the host does not have it
  disabled_by_firmware,     // FirmwareFacts says the BIOS/UEFI switched it off
  removed_by_microcode_or_kernel,  // TSX off, or a microcode-delivered feature on older microcode
  hidden_by_hypervisor,     // the host is itself a VM and its hypervisor hides it
  not_offered,              // the host's CPU has it, its hypervisor does not offer it to this domain type
  unknown,                  // the facts cannot tell
};

// "absent in silicon", "disabled by firmware", ...
const char* cause_text(MissingCause cause);

struct MissingFeature {
  std::string name;
  MissingCause cause = MissingCause::unknown;
  std::string detail;  // the fact behind the cause, or what is not known; may say what to do
  // False for libvirt's migratable='no' features (invtsc, xsaves): a migrating
  // guest never sees them, so `preflight matrix` does not count them. Set by compare_hosts.
  bool migratable = true;
};

// For each feature of `wanted` that `dest` cannot give a guest, in catalog order.
// `dest_facts` supplies firmware/TSX state; `from` (may be null) is the host the
// features come from, used to compare microcode.
std::vector<MissingFeature> explain_missing(const CpuFeatureSet& wanted, const HostCpu& dest,
                                            const HostFacts& dest_facts, const HostCpu* from,
                                            const CpuCatalog& catalog);

// The part of `host` explain_missing reads: its firmware's TSX state and TSX
// vulnerability line, nothing else (not even the name: the HostCpu names the host).
// explain_missing answers the same with it as with `host`, and the hosts of a fleet
// share a few of them, so a fleet keeps these (shared) instead of its facts whole.
HostFacts explanation_facts(const HostFacts& host);

struct CpuComparison {
  HostCpu a, b;
  // Each host's features a migrating guest can see (`preflight matrix`'s count:
  // without libvirt's migratable='no' features and the hypervisor bit).
  size_t a_migratable = 0, b_migratable = 0;
  bool same_vendor = false;     // both known and equal
  bool same_signature = false;  // family, model and stepping, all known and equal
  bool same_microcode = false;  // both known and equal
  std::vector<MissingFeature> missing_on_b;  // A has, B lacks (cause on B)
  std::vector<MissingFeature> missing_on_a;  // B has, A lacks (cause on A)
  // A has, B's facts cannot tell (HostCpu::unknown; cause unknown, detail says why); and the reverse.
  std::vector<MissingFeature> unknown_on_b;
  std::vector<MissingFeature> unknown_on_a;
  // A side whose vendor is unknown (a CPU description naming none, e.g. model
  // qemu64): the vendors are neither the same nor different.
  bool vendor_unknown() const { return a.vendor_name.empty() || b.vendor_name.empty(); }
  bool identical() const { return same_vendor && missing_on_a.empty() && missing_on_b.empty(); }
  // Nothing known differs, but a vendor or some features cannot be told on one side.
  // A feature known to differ decides (not identical), whatever is unknown.
  bool undecided() const {
    return missing_on_a.empty() && missing_on_b.empty() &&
           (vendor_unknown() || (same_vendor && (!unknown_on_a.empty() || !unknown_on_b.empty())));
  }
};

CpuComparison compare_hosts(const HostFacts& a, const HostFacts& b, const CpuCatalog& catalog);

// Human text (multi-line) and JSON of a comparison.
std::string comparison_text(const CpuComparison& c);
nlohmann::json comparison_json(const CpuComparison& c);

}  // namespace preflight
