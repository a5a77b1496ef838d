// The check of one move: see check_run.hpp.
#include "check/check_run.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <functional>

#include <fmt/format.h>

#include "collect/domain_xml.hpp"
#include "collect/host_source.hpp"
#include "collect/link_probe.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "check/estimate_run.hpp"
#include "rules/engine.hpp"

namespace preflight {
namespace {

// Hosts read at once: enough to overlap the round trips to many libvirt daemons,
// few enough that a 10,000-host inventory does not start 10,000 threads.
constexpr size_t kMaxParallelReads = 16;

std::string join(const std::vector<std::string>& v) { return preflight::join(v, ", "); }

}  // namespace

const InventoryHost& find_host(const Inventory& inv, const std::string& name) {
  if (const InventoryHost* h = inv.find(name)) return *h;
  throw Error(fmt::format("{}: unknown host '{}'{}", inv.path, name, did_you_mean(name, inv.names())),
              "known hosts: " + join(inv.names()));
}

CollectedHosts collect_hosts(const std::vector<const InventoryHost*>& hosts) {
  return collect_hosts_if(hosts, [](size_t) { return true; });
}

CollectedHosts collect_hosts_if(const std::vector<const InventoryHost*>& hosts,
                                const std::function<bool(size_t)>& wanted) {
  CollectedHosts c;
  c.facts.resize(hosts.size());
  c.errors.resize(hosts.size());
  c.skipped.assign(hosts.size(), 0);
  parallel_for(hosts.size(), kMaxParallelReads, [&](size_t i) {
    try {
      if (!wanted(i)) {
        c.skipped[i] = 1;
        return;
      }
      c.facts[i] = collect_inventory_host(*hosts[i]);
    } catch (const std::exception& e) {
      c.errors[i] = e.what();
    }
  });
  return c;
}

CheckSetup load_check_setup(const Inventory& inv, const CheckSetupPaths& paths) {
  RuleCatalog catalog = load_rule_catalog(paths.rules_dir.empty() ? default_rules_dir() : paths.rules_dir);
  const std::string policy_path = paths.policy.empty() ? inv.policy : paths.policy;
  Policy policy = policy_path.empty() ? Policy{} : load_policy(policy_path, &catalog);
  return CheckSetup{std::move(catalog), std::move(policy), CpuCatalog::load(paths.cpu_map)};
}

std::optional<LinkProbeResult> probe_migration_link(const HostFacts& destination) {
  if (const auto* addr = destination.migration_address.get(); addr && !addr->empty())
    return probe_link(*addr, std::chrono::milliseconds(2000));
  return std::nullopt;
}

Verdict check_move(const CheckSetup& setup, const HostFacts& source, const HostFacts& destination, const VmFacts& vm,
                   const std::optional<LinkProbeResult>& link, const std::string& mode) {
  const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  Verdict verdict =
      evaluate(setup.catalog, CheckRequest{source, destination, vm, setup.policy, link, today, &setup.cpu_catalog, mode});
  // Measuring nothing: the inputs it assumes are said (`preflight estimate` measures them).
  verdict.estimate = summary_estimate(vm, nullptr, nullptr, &source, &destination);
  return verdict;
}

CheckRun run_check(const Inventory& inv, const CheckSetup& setup, const std::string& vm_name,
                   const std::string& destination_name, const std::string& from, const std::string& mode) {
  const InventoryHost& dest_host = find_host(inv, destination_name);
  std::vector<const InventoryHost*> candidates;
  if (!from.empty()) {
    candidates.push_back(&find_host(inv, from));
  } else {
    for (const auto& h : inv.hosts) candidates.push_back(&h);
  }
  // The destination is collected with the candidates (it may be one of them). A
  // candidate whose facts file cannot hold the VM is not parsed; when the VM is found
  // nowhere, every candidate is read after all, to name the VMs that do exist.
  std::vector<const InventoryHost*> to_collect = candidates;
  if (std::find(to_collect.begin(), to_collect.end(), &dest_host) == to_collect.end()) to_collect.push_back(&dest_host);
  auto wanted = [&](size_t i) {
    return !from.empty() || to_collect[i] == &dest_host || may_define_vm(*to_collect[i], vm_name);
  };
  CollectedHosts got = collect_hosts_if(to_collect, wanted);
  const auto holds_vm = [&](size_t i) { return got.facts[i] && find_vm(*got.facts[i], vm_name); };
  bool found = false;
  for (size_t i = 0; i < candidates.size() && !found; ++i) found = holds_vm(i);
  if (!found && std::find(got.skipped.begin(), got.skipped.end(), 1) != got.skipped.end())
    got = collect_hosts(to_collect);

  std::optional<HostFacts> destination;
  std::vector<size_t> holders;
  std::vector<std::string> failed;
  for (size_t i = 0; i < to_collect.size(); ++i) {
    if (to_collect[i] == &dest_host) {
      if (!got.facts[i]) throw Error(got.errors[i], "the destination must be reachable to check a move to it");
      destination = got.facts[i];
    }
    if (i >= candidates.size() || got.skipped[i]) continue;
    if (!got.facts[i]) failed.push_back(got.errors[i]);
    else if (holds_vm(i)) holders.push_back(i);
  }
  // A VM defined on the destination too is taken to run elsewhere.
  if (holders.size() > 1)
    std::erase_if(holders, [&](size_t i) { return to_collect[i] == &dest_host; });
  if (holders.empty() && !from.empty()) {
    // Not on the host named: say where it is, when another host has it.
    std::vector<const InventoryHost*> others;
    for (const auto& h : inv.hosts)
      if (&h != candidates.front()) others.push_back(&h);
    const CollectedHosts elsewhere =
        collect_hosts_if(others, [&](size_t i) { return may_define_vm(*others[i], vm_name); });
    std::vector<std::string> on;
    for (size_t i = 0; i < others.size(); ++i)
      if (elsewhere.facts[i] && find_vm(*elsewhere.facts[i], vm_name)) on.push_back(others[i]->name);
    if (!on.empty())
      throw Error(fmt::format("VM '{}' is not on host '{}'; it is on {}", vm_name, from, join(on)),
                  fmt::format("check it from there: --from {}, or leave --from out", on.front()));
  }
  if (holders.empty()) {
    std::vector<std::string> known;
    for (size_t i = 0; i < candidates.size(); ++i)
      if (got.facts[i] && got.facts[i]->vms.known())
        for (const auto& v : got.facts[i]->vms.value()) known.push_back(v.name);
    // Sorted: libvirt lists domains in no fixed order, and a message must not change between runs.
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    const std::string where = from.empty() ? "any inventory host" : "host '" + from + "'";
    std::string hint = known.empty() ? "no VM is known" : "known VMs: " + join(known);
    if (!failed.empty()) hint += "; hosts that could not be read: " + join(failed);
    throw Error(fmt::format("VM '{}' not found on {}{}", vm_name, where, did_you_mean(vm_name, known)), hint);
  }
  if (holders.size() > 1) {
    std::vector<std::string> names;
    for (size_t i : holders) names.push_back(to_collect[i]->name);
    throw Error(fmt::format("VM '{}' is defined on several hosts: {}", vm_name, join(names)), "say which with --from HOST");
  }
  const HostFacts& source = *got.facts[holders[0]];
  const VmFacts& vm = *find_vm(source, vm_name);

  Verdict verdict = check_move(setup, source, *destination, vm, probe_migration_link(*destination), mode);
  verdict.estimate = summary_estimate(vm, to_collect[holders[0]], &dest_host, &source, &*destination);
  return CheckRun{std::move(verdict), to_collect[holders[0]], &dest_host, source, *destination, vm};
}

bool names_domain_xml(const std::string& arg) {
  return arg == "-" || arg.find('/') != std::string::npos || (arg.size() > 4 && arg.ends_with(".xml"));
}

CheckRun run_check_new_vm(const Inventory& inv, const CheckSetup& setup, const std::string& xml,
                          const std::string& origin, const std::string& destination_name) {
  const InventoryHost& dest_host = find_host(inv, destination_name);
  VmFacts vm = parse_domain_xml(xml, origin);
  if (vm.name.empty()) throw Error(origin + ": the domain has no <name>", "give it one: the verdict names the VM");
  HostFacts destination = [&] {
    try {
      return collect_inventory_host(dest_host);
    } catch (const Error& e) {
      throw Error(e.what(), "the destination must be reachable to check a VM for it");
    }
  }();
  const HostFacts none;  // no source host
  const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  CheckRequest request{none, destination, vm, setup.policy, std::nullopt, today, &setup.cpu_catalog, {}};
  request.new_vm = true;
  Verdict verdict = evaluate(setup.catalog, request);
  return CheckRun{std::move(verdict), nullptr, &dest_host, none, std::move(destination), std::move(vm)};
}

}  // namespace preflight
