#pragma once
// The rule engine: facts of both hosts and the VM in, a Verdict out. Pure: no I/O,
// no clock (today is a parameter), never prints.
#include <chrono>
#include <optional>

#include "cpu/cpu_catalog.hpp"
#include "facts/host_facts.hpp"
#include "facts/vm_facts.hpp"
#include "rules/link_probe_result.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"
#include "rules/verdict.hpp"

namespace preflight {

struct CheckRequest {
  const HostFacts& source;
  const HostFacts& destination;
  const VmFacts& vm;
  const Policy& policy;
  std::optional<LinkProbeResult> link;  // the migration-link probe, when run
  std::chrono::year_month_day today;    // for waiver expiry
  const CpuCatalog* cpu_catalog = nullptr;  // libvirt's cpu_map; nullptr: CPU rules are errors
  // How the move will be made (live, copy-storage, quick, offline) when a
  // migration is planned; empty for a plain check, which judges any way to move.
  std::string mode;
  // The VM is defined on no host yet (`preflight check FILE.xml DEST`: about to be
  // deployed or restored there): `source` is an empty HostFacts. Rules that compare
  // the source with the destination skip, saying so; the others judge the VM as it
  // will start on the destination.
  bool new_vm = false;
};

// One Finding per rule of `catalog`, in catalog order. A check that throws is an
// `error` finding (fail closed). Waivers turn warn/block into waived; never error.
Verdict evaluate(const RuleCatalog& catalog, const CheckRequest& request);

}  // namespace preflight
