#pragma once
// The CPU a destination offers a guest of one domain type (kvm, qemu), resolved
// to catalog features: what libvirt checks an incoming guest CPU against. Pure.
#include <string>

#include "core/fact.hpp"
#include "cpu/host_cpu.hpp"

namespace preflight {

enum class OfferBasis {
  offer,    // the host-model CPU of the domain capabilities for that domain type (exact)
  stated,   // a CPU the operator stated (inventory cpu:), which overrides libvirt (exact)
  silicon,  // the bare host CPU from raw CPUID: an upper bound for kvm guests only
};

struct OfferedCpu {
  OfferBasis basis = OfferBasis::offer;
  std::string virt_type;  // kvm|qemu
  HostCpu cpu;            // the features offered (silicon: the host's own)
  // Whether the domain type gets host-passthrough / maximum; unknown without an offer.
  Fact<bool> host_passthrough, maximum;
  std::string assumed;  // what was assumed instead of the offer; empty for the offer
};

// What `host` offers a `virt_type` guest: the operator-stated CPU when there is one,
// else the offer's host-model CPU, else (kvm only) the raw-CPUID host CPU as an
// upper bound. Unknown, with why, when none of these is known.
Fact<OfferedCpu> offered_cpu(const HostFacts& host, const std::string& virt_type, const CpuCatalog& catalog);

// The virt type of `vm`: kvm when its facts do not say or say "test" (libvirt's test
// driver), with `note` set to say so.
std::string guest_virt_type(const VmFacts& vm, std::string* note = nullptr);

}  // namespace preflight
