#include "check/mask_run.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "collect/host_source.hpp"
#include "core/error.hpp"

namespace preflight {
namespace {

// The host among `hosts`, then among the inventory's others, that has `vm`.
std::optional<HostFacts> holder(const std::string& vm, const std::vector<HostFacts>& hosts, const Inventory* inv) {
  for (const auto& h : hosts)
    if (find_vm(h, vm)) return h;
  if (!inv) return std::nullopt;
  for (const auto& ih : inv->hosts) {
    if (std::any_of(hosts.begin(), hosts.end(), [&](const HostFacts& h) { return h.name == ih.name; })) continue;
    HostFacts h = collect_inventory_host(ih);
    if (find_vm(h, vm)) return h;
  }
  return std::nullopt;
}

}  // namespace

VmMask mask_vm(const std::string& vm, const std::vector<HostFacts>& hosts, const std::optional<HostFacts>& from,
               const Inventory* inv, const CpuCatalog& catalog, bool migratable) {
  const std::optional<HostFacts> source = from ? from : holder(vm, hosts, inv);
  const VmFacts* found = source ? find_vm(*source, vm) : nullptr;
  if (!found)
    throw Error(fmt::format("mask: VM '{}' not found on {}", vm,
                            from ? "'" + from->name + "'" : std::string("the given hosts or the inventory")),
                "name the VM's host with --from");
  VmMask out{*source, *found, {}, {}};
  std::vector<BaselineInput> inputs;
  for (const HostFacts& h : hosts) inputs.push_back(baseline_input(resolve_host_cpu(h, catalog)));
  out.guest = guest_cpu(out.vm, out.source, catalog);
  out.mask = compute_mask(out.guest, out.vm.name, inputs, catalog, migratable);
  return out;
}

}  // namespace preflight
