#pragma once
// `preflight mask`'s job: find the VM, then the guest CPU that lets it run on every
// one of the given hosts.
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_baseline.hpp"
#include "cpu/host_cpu.hpp"
#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"

namespace preflight {

struct VmMask {
  HostFacts source;  // the host the VM was found on
  VmFacts vm;
  GuestCpu guest;    // what the VM sees there today
  Mask mask;
};

// The VM `vm` is looked for on `from` when given, else on `hosts` in order, else on
// the other hosts of `inv` (may be null), collected now. Throws Error when it is
// found nowhere (saying to name its host), and the errors of compute_mask.
VmMask mask_vm(const std::string& vm, const std::vector<HostFacts>& hosts, const std::optional<HostFacts>& from,
               const Inventory* inv, const CpuCatalog& catalog, bool migratable);

}  // namespace preflight
