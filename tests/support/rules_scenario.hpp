#pragma once
// A move that passes every non-CPU rule, built in C++, for rule tests to break one
// fact at a time: hostA -> hostB (both Intel, 16 CPUs, NFS pool "shared" with the
// same source on both, local dir pool "local", networks "default" (nat) and "prod"
// (bridge br0 on a NIC, port group "web"), QEMU 7.2 / libvirt 9.0) and VM vm1
// (4 GiB, 2 vCPUs, disk vda in the shared pool, NIC on prod/web, machine q35).
// Both CPUs are Haswell-noTSX 6/63/2 as libvirt describes them, and each host offers
// kvm guests that CPU as host-model (domain capabilities, with host-passthrough and
// maximum); vm1 is a running kvm guest, custom Haswell-noTSX.
#include <chrono>
#include <optional>
#include <string>

#include "cpu/cpu_catalog.hpp"
#include "facts/host_facts.hpp"
#include "facts/vm_facts.hpp"
#include "rules/engine.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"

namespace preflight::test {

struct Scenario {
  HostFacts source;
  HostFacts destination;
  VmFacts vm;
  Policy policy;
  std::optional<LinkProbeResult> link;
  std::string mode;  // the planned migration mode; empty: a plain check
  std::chrono::year_month_day today{std::chrono::year{2026}, std::chrono::month{6}, std::chrono::day{15}};

  Scenario();
  Verdict evaluate() const;           // every rule of the shipped catalog
  Finding finding(const std::string& rule) const;  // one rule's finding; fails the test when absent
};

HostFacts scenario_host(const std::string& name, const std::string& uuid);
const RuleCatalog& shipped_catalog();
const CpuCatalog& cpu_catalog();  // the installed libvirt cpu_map

inline constexpr uint64_t kGiB = 1024ull * 1024 * 1024;

// The known-good move with vda moved to the source's local dir pool (not shared), 20 GiB.
Scenario local_disk();

}  // namespace preflight::test
