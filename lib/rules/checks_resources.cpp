// Resource and host checks: memory (R40), vCPUs and overcommit (R41), distinct
// hosts (R42), same pool (R43), hypervisor compatibility (R44), concurrency (R45).
#include <algorithm>
#include <sstream>

#include "core/number.hpp"
#include "facts/vm_state.hpp"
#include "rules/checks.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

uint64_t mib(uint64_t kib) { return kib / 1024; }

// a + b, or the largest value when that overflows: a need that cannot be counted
// cannot fit anywhere, and must never wrap around to a small one.
uint64_t add_saturating(uint64_t a, uint64_t b) { return checked_add(a, b).value_or(UINT64_MAX); }

// Numeric, component-wise: "9.10.0" > "9.9.1". Non-digits end a component.
int compare_versions(const std::string& a, const std::string& b) {
  std::stringstream sa(a), sb(b);
  std::string x, y;
  while (true) {
    const bool ha = static_cast<bool>(std::getline(sa, x, '.'));
    const bool hb = static_cast<bool>(std::getline(sb, y, '.'));
    if (!ha && !hb) return 0;
    const unsigned long long nx = ha ? std::strtoull(x.c_str(), nullptr, 10) : 0;
    const unsigned long long ny = hb ? std::strtoull(y.c_str(), nullptr, 10) : 0;
    if (nx != ny) return nx < ny ? -1 : 1;
  }
}

// One subject: `host`'s memory, CPUs or the host itself.
std::vector<Subject> of(Subject::Kind kind, const HostFacts& host) { return {{kind, host.name}}; }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

CheckResult memory(const CheckContext& c, const json& params) {
  const double overhead_mib = memory_overhead_mib(c.policy, params);
  if (!(overhead_mib >= 0 && overhead_mib <= 1024.0 * 1024))  // also NaN
    return CheckResult::error("memory overhead of " + std::to_string(overhead_mib) + " MiB is out of range (0 to 1 TiB)");
  const uint64_t overhead_kib = to_unsigned(overhead_mib * 1024).value_or(UINT64_MAX);  // in range: checked above
  const auto& mem = c.destination.memory;
  if (!mem.free_kib.known()) return CheckResult::unknown(c.destination, "memory.free_kib", mem.free_kib.reason());
  const uint64_t free_kib = mem.free_kib.value();
  json ev = {{"vm_mib", mib(c.vm.memory_kib)}, {"overhead_mib", overhead_mib}, {"free_mib", mib(free_kib)}};
  if (!mem.free_note.empty()) ev["free_note"] = mem.free_note;
  if (c.vm.hugepages) {
    if (!mem.hugepages.known()) {
      // Free memory of any kind, hugepages included, is at most the total minus what
      // active VMs use: when the VM exceeds even that, it cannot fit.
      if (mem.total_kib.known() && c.destination.vms.known()) {
        uint64_t used = 0;
        for (const auto& v : c.destination.vms.value())
          if (vm_is_active(v)) used = add_saturating(used, v.memory_kib);
        const uint64_t total = mem.total_kib.value();
        const uint64_t bound = total > used ? total - used : 0;
        if (c.vm.memory_kib > bound) {
          ev["need_mib"] = mib(c.vm.memory_kib);
          ev["bound_mib"] = mib(bound);
          ev["hugepages_unknown"] = mem.hugepages.reason();
          return CheckResult::fire(ev, "hugepages_bound").about(of(Subject::Kind::memory, c.destination));
        }
      }
      return CheckResult::unknown(c.destination, "memory.hugepages", mem.hugepages.reason());
    }
    const std::optional<uint64_t> default_size = to_unsigned(param_number(params, "default_hugepage_kib", 2048));
    if (!c.vm.hugepage_size_kib && !default_size)
      return CheckResult::error("the rule's default_hugepage_kib is not a size in KiB (negative, or not finite)");
    const uint64_t size = c.vm.hugepage_size_kib ? c.vm.hugepage_size_kib : *default_size;
    uint64_t free_pages_kib = 0;
    for (const auto& p : mem.hugepages.value())
      if (p.size_kib == size) free_pages_kib = checked_mul(p.free, p.size_kib).value_or(UINT64_MAX);
    ev["hugepage_kib"] = size;
    ev["hugepages_free_mib"] = mib(free_pages_kib);
    ev["need_mib"] = mib(c.vm.memory_kib);
    if (free_pages_kib < c.vm.memory_kib)
      return CheckResult::fire(ev, "hugepages").about(of(Subject::Kind::memory, c.destination));
    if (free_kib < overhead_kib) {
      ev["need_mib"] = overhead_mib;
      return CheckResult::fire(ev).about(of(Subject::Kind::memory, c.destination));
    }
    return CheckResult::pass(std::to_string(mib(free_pages_kib)) + " MiB of free " + std::to_string(size) +
                                 " KiB hugepages on " + c.destination.name + " hold the VM's " +
                                 std::to_string(mib(c.vm.memory_kib)) + " MiB",
                             ev);
  }
  const uint64_t need = add_saturating(c.vm.memory_kib, overhead_kib);
  ev["need_mib"] = mib(need);
  if (need > free_kib) return CheckResult::fire(ev).about(of(Subject::Kind::memory, c.destination));
  return CheckResult::pass(std::to_string(mib(need)) + " MiB needed, " + std::to_string(mib(free_kib)) + " MiB free on " +
                               c.destination.name,
                           ev);
}

CheckResult vcpus(const CheckContext& c, const json& params) {
  const auto& cpus = c.destination.topology.cpus;
  if (!cpus.known()) return CheckResult::unknown(c.destination, "topology.cpus", cpus.reason());
  const double ratio = c.policy.cpu_overcommit.value_or(param_number(params, "overcommit", 4.0));
  json ev = {{"vm_vcpus", c.vm.vcpus}, {"destination_cpus", cpus.value()}, {"overcommit", ratio}};
  if (c.vm.vcpus > cpus.value()) return CheckResult::fire(ev, "too_many").about(of(Subject::Kind::cpu, c.destination));
  if (!c.destination.vms.known()) return CheckResult::unknown(c.destination, "vms", c.destination.vms.reason());
  uint64_t committed = 0;
  for (const auto& v : c.destination.vms.value())
    if (vm_is_active(v) && v.name != c.vm.name) committed += v.vcpus;
  const double limit = ratio * cpus.value();
  ev["committed_vcpus"] = committed;
  ev["after_move_vcpus"] = committed + c.vm.vcpus;
  ev["limit_vcpus"] = limit;
  if (static_cast<double>(committed + c.vm.vcpus) > limit)
    return CheckResult::fire(ev, "overcommit").about(of(Subject::Kind::cpu, c.destination));
  return CheckResult::pass(std::to_string(committed + c.vm.vcpus) + " vCPUs on " + std::to_string(cpus.value()) +
                               " CPUs after the move, within the overcommit ratio",
                           ev);
}

CheckResult distinct_hosts(const CheckContext& c, const json&) {
  const auto *a = c.source.host_uuid.get(), *b = c.destination.host_uuid.get();
  if (a && b && !a->empty() && !b->empty()) {
    json ev = {{"by", "host uuid"}, {"uuid", *a}};
    if (*a == *b) return CheckResult::fire(ev).about(of(Subject::Kind::host, c.destination));
    return CheckResult::pass("different host UUIDs", ev);
  }
  json ev = {{"by", "name"}, {"uuid", c.source.name}};
  if (c.source.name == c.destination.name) return CheckResult::fire(ev).about(of(Subject::Kind::host, c.destination));
  return CheckResult::pass("different hosts (by name; a host UUID is unknown)", ev);
}

CheckResult same_pool(const CheckContext& c, const json&) {
  json ev = {{"source_pool", c.source.pool_membership}, {"destination_pool", c.destination.pool_membership}};
  if (!c.policy.require_same_pool) return CheckResult::skip("the policy does not require hosts to share a pool", ev);
  if (c.source.pool_membership.empty() || c.source.pool_membership != c.destination.pool_membership)
    return CheckResult::fire(ev).about(of(Subject::Kind::host, c.destination));
  return CheckResult::pass("both hosts are in pool " + c.source.pool_membership, ev);
}

CheckResult hypervisor_compat(const CheckContext& c, const json&) {
  const auto &s = c.source.hypervisor, &d = c.destination.hypervisor;
  std::vector<std::string> problems, notes;
  json ev = json::object();
  // A VM defined nowhere yet: what it needs must be offered; there are no versions to compare.
  if (c.new_vm) notes.push_back("versions not compared: " + c.vm.name + " is not defined on any host yet");
  else if (!s.driver.known()) return CheckResult::unknown(c.source, "hypervisor.driver", s.driver.reason());
  if (!c.new_vm && !d.driver.known()) return CheckResult::unknown(c.destination, "hypervisor.driver", d.driver.reason());
  if (!c.new_vm && s.driver.value() != d.driver.value())
    problems.push_back("hypervisor driver " + d.driver.value() + " on " + c.destination.name + ", " + s.driver.value() + " on " + c.source.name);
  for (auto [what, sv, dv] : {std::tuple{"libvirt_version", &s.libvirt_version, &d.libvirt_version},
                              std::tuple{"hypervisor_version", &s.hypervisor_version, &d.hypervisor_version}}) {
    if (c.new_vm) break;
    if (!sv->known()) return CheckResult::unknown(c.source, std::string("hypervisor.") + what, sv->reason());
    if (!dv->known()) return CheckResult::unknown(c.destination, std::string("hypervisor.") + what, dv->reason());
    ev[what] = {{"source", sv->value()}, {"destination", dv->value()}};
    if (compare_versions(dv->value(), sv->value()) < 0)
      problems.push_back(std::string(what == std::string("libvirt_version") ? "libvirt " : "hypervisor ") + dv->value() +
                         " on " + c.destination.name + " is older than " + sv->value() + " on " + c.source.name);
  }
  auto offered = [&](const std::string& what, const std::string& wanted, const Fact<std::vector<std::string>>& have) {
    if (wanted.empty()) return;
    if (!have.known() || have.value().empty()) {
      notes.push_back(what + " " + wanted + " not checked: " + c.destination.name + " does not report them");
      return;
    }
    if (!contains(have.value(), wanted)) problems.push_back(what + " " + wanted + " is not offered by " + c.destination.name);
  };
  // The guest's architecture: KVM runs only the host's own (an x86_64 host runs i686
  // guests too); another one needs an emulator for it, checked below when the VM names
  // its emulator, else looked for among the destination's.
  if (const std::string& arch = c.vm.arch; !arch.empty()) {
    const Fact<std::string>& host_arch = c.destination.arch;
    const bool native = host_arch.known() && (arch == host_arch.value() ||
                                              (host_arch.value() == "x86_64" && (arch == "i686" || arch == "i386")));
    if (!host_arch.known()) {
      notes.push_back("architecture " + arch + " not checked: " + c.destination.name + " does not report its own (" +
                      host_arch.reason() + ")");
    } else if (!native && c.vm.virt_type == "kvm") {
      problems.push_back("guest architecture " + arch + " under KVM, and " + c.destination.name + " is " + host_arch.value() +
                         " (KVM runs only the host's own architecture)");
    } else if (!native && c.vm.emulator.empty()) {
      const auto* emulators = d.emulators.get();
      const std::string wanted = "qemu-system-" + arch;
      if (!emulators || emulators->empty())
        notes.push_back("an emulator for " + arch + " guests not checked: " + c.destination.name + " does not report its emulators");
      else if (std::none_of(emulators->begin(), emulators->end(),
                            [&](const std::string& e) { return e.ends_with("/" + wanted) || e == wanted; }))
        problems.push_back("no emulator for " + arch + " guests (" + wanted + ") on " + c.destination.name);
    }
  }
  offered("machine type", c.vm.machine_type, d.machine_types);
  offered("emulator", c.vm.emulator, d.emulators);
  offered("firmware", c.vm.loader, d.firmware);
  if (!notes.empty()) ev["not_checked"] = notes;
  if (problems.empty())
    return CheckResult::pass(c.destination.name + " offers what the VM needs" + (c.new_vm ? "" : " and is not older"), ev);
  ev["problems"] = problems;
  return CheckResult::fire(ev).about(of(Subject::Kind::host, c.destination));
}

CheckResult concurrency(const CheckContext&, const json& params) {
  return CheckResult::fire({{"per_host", param_number(params, "per_host", 4)},
                            {"per_host_10gbe", param_number(params, "per_host_10gbe", 8)}});
}

}  // namespace preflight::checks
