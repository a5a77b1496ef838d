#pragma once
// The check of one move, shared by `preflight check`, `estimate` and `migrate`:
// collect the source and destination now, probe the migration link, run the rules.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"
#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"
#include "rules/link_probe_result.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"
#include "rules/verdict.hpp"

namespace preflight {

// What every check of one run shares: the rule catalog, the policy and libvirt's
// CPU catalog.
struct CheckSetup {
  RuleCatalog catalog;
  Policy policy;
  CpuCatalog cpu_catalog;
};
// Where they come from; an empty field takes the default: the rules shipped with
// preflight, the inventory's policy (none when it names none), libvirt's cpu_map.
struct CheckSetupPaths {
  std::string rules_dir;
  std::string policy;
  std::string cpu_map;
};
CheckSetup load_check_setup(const Inventory& inv, const CheckSetupPaths& paths);

// Collects hosts in parallel (at most 16 at once); a host that fails has its error
// instead.
struct CollectedHosts {
  std::vector<std::optional<HostFacts>> facts;
  std::vector<std::string> errors;  // empty where facts were read
  std::vector<char> skipped;        // not read: `wanted` said no (char: written by several threads)
};
CollectedHosts collect_hosts(const std::vector<const InventoryHost*>& hosts);
// Only the hosts i with wanted(i) (called in parallel); the others are skipped.
CollectedHosts collect_hosts_if(const std::vector<const InventoryHost*>& hosts,
                                const std::function<bool(size_t)>& wanted);

// The TCP test of the destination's migration address; nullopt when it has none.
std::optional<LinkProbeResult> probe_migration_link(const HostFacts& destination);

// The rules on moving `vm` from `source` to `destination`, with the pre-copy
// estimate. `mode`: how `preflight migrate` will move it (live, copy-storage,
// quick, offline); empty for `preflight check`, which judges any way to move.
Verdict check_move(const CheckSetup& setup, const HostFacts& source, const HostFacts& destination, const VmFacts& vm,
                   const std::optional<LinkProbeResult>& link, const std::string& mode = {});

// The inventory host named `name`; throws Error with "did you mean" and the known hosts.
const InventoryHost& find_host(const Inventory& inv, const std::string& name);

struct CheckRun {
  Verdict verdict;                      // with the pre-copy estimate filled in
  const InventoryHost* source = nullptr;       // the inventory host the VM is on
  const InventoryHost* destination = nullptr;  // never null after run_check
  // The facts the verdict was made from (for reporters that draw them).
  HostFacts source_facts, destination_facts;
  VmFacts vm;
};

// `from` empty: the VM is looked for on every inventory host. Throws Error when a
// host or the VM is unknown, the VM is on several hosts, or the destination
// cannot be read; a fact that could not be collected is an error finding.
CheckRun run_check(const Inventory& inv, const CheckSetup& setup, const std::string& vm, const std::string& destination,
                   const std::string& from, const std::string& mode = {});

// Whether the VM argument of `preflight check` names a domain XML rather than a
// VM: it is "-" (standard input), ends in ".xml", or holds a "/" (libvirt refuses
// a "/" in a domain's name).
bool names_domain_xml(const std::string& vm_argument);

// The check of a VM defined on no host yet (about to be deployed or restored on
// `destination`), given as the domain XML `xml` read from `origin` (its path, or
// "stdin"): no source host (CheckRequest::new_vm), no migration link, the estimate
// of a live move left at zero. `source` is null and `source_facts` empty in the
// result. Throws Error naming `origin` for XML that is not a domain, and as
// run_check for the destination.
CheckRun run_check_new_vm(const Inventory& inv, const CheckSetup& setup, const std::string& xml,
                          const std::string& origin, const std::string& destination);

}  // namespace preflight
