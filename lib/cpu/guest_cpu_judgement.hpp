#pragma once
// Judging a guest CPU against what a destination offers, the way libvirt 9.0 and
// QEMU do when the guest arrives (qemuProcessUpdateGuestCPU: virCPUCompare with the
// host-model CPU of the domain type for check='partial'; virCPUx86UpdateLive for
// check='full': every enabled feature must be given). Pure.
#include <string>
#include <vector>

#include "cpu/offered_cpu.hpp"

namespace preflight {

struct GuestCpuJudgement {
  std::string mode;           // custom|host-model|host-passthrough|maximum; "none" without <cpu>
  std::string model;          // the model the guest names (custom), else empty
  CpuFeatureSet requested;    // what the guest needs from the destination
  CpuFeatureSet missing;      // requested, not offered
  CpuFeatureSet forbidden;    // policy='forbid' features the offer has (libvirt refuses when it compares)
  CpuFeatureSet strict_extra; // match='strict': offered features the guest does not name
  std::string vendor_mismatch;    // "Intel vs AMD" when the guest states a vendor the offer lacks
  std::string mode_not_offered;   // "host-passthrough" | "maximum" when the offer lacks the mode
  bool mode_offer_unknown = false;  // passthrough support cannot be told
  std::vector<std::string> notes;  // how the guest CPU was read, what was assumed
  bool compatible() const {
    return missing.empty() && forbidden.empty() && strict_extra.empty() && vendor_mismatch.empty() &&
           mode_not_offered.empty() && !mode_offer_unknown;
  }
};

// `vm` on `source` (its current host) arriving on a destination offering `dest`.
// A running guest is judged by its live definition (libvirt has expanded host-model
// there); a shut-off one by what it would get at start on the destination.
// Throws Error naming the VM when a fact it needs is unknown.
GuestCpuJudgement judge_guest_cpu(const VmFacts& vm, const HostFacts& source, const OfferedCpu& dest,
                                  const CpuCatalog& catalog);

}  // namespace preflight
