// Device, placement, resource and host rules on facts built in C++.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

BOOST_AUTO_TEST_CASE(host_ports_block_serial_on_a_host_device) {
  Scenario s;
  s.vm.chardevs.push_back({"serial", "pty", ""});
  BOOST_TEST(to_string(s.finding("devices.host-ports").status) == "pass");
  s.vm.chardevs.push_back({"serial", "dev", "/dev/ttyS0"});
  const Finding f = s.finding("devices.host-ports");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message == "vm1 uses host ports: serial port on host device /dev/ttyS0");
}

BOOST_AUTO_TEST_CASE(hostdev_blocks) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("devices.hostdev").status) == "pass");
  s.vm.hostdevs.push_back({"pci", "subsystem", "0000:3b:00.0"});
  const Finding f = s.finding("devices.hostdev");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message == "vm1 has passthrough devices: pci 0000:3b:00.0");
}

BOOST_AUTO_TEST_CASE(affinity_warns_and_blocks_on_absent_cpus) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("placement.affinity").status) == "pass");
  s.vm.cputune.vcpupins = {{0, "2"}, {1, "3"}};
  BOOST_TEST(to_string(s.finding("placement.affinity").status) == "warn");
  s.vm.cputune.emulatorpin = "0-23,^1";
  const Finding f = s.finding("placement.affinity");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.evidence["missing_cpus"] == "16,17,18,19,20,21,22,23");
  s.destination.topology.online = Fact<std::string>::unknown("x");
  s.destination.topology.cpus = Fact<uint32_t>::unknown("not reported");
  BOOST_TEST(to_string(s.finding("placement.affinity").status) == "error");
}

BOOST_AUTO_TEST_CASE(memory_needs_free_memory_plus_overhead) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("resources.memory").status) == "pass");
  s.destination.memory.free_kib = uint64_t{4} * 1024 * 1024 + 100 * 1024;  // VM fits, overhead does not
  const Finding f = s.finding("resources.memory");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message == "hostB has 4196 MiB free, vm1 needs 4352 MiB (4096 MiB + 256 MiB overhead)");
  s.policy.memory_overhead_mib = 50;
  BOOST_TEST(to_string(s.finding("resources.memory").status) == "pass");
  s.destination.memory.free_kib = Fact<uint64_t>::unknown("no call");
  BOOST_TEST(to_string(s.finding("resources.memory").status) == "error");
}

BOOST_AUTO_TEST_CASE(memory_counts_hugepages_when_the_vm_uses_them) {
  Scenario s;
  s.vm.hugepages = true;
  s.vm.hugepage_size_kib = 1048576;
  const Finding f = s.finding("resources.memory");
  BOOST_TEST(to_string(f.status) == "block");  // only 2 MiB pages on hostB
  s.destination.memory.hugepages = std::vector<HugepagePool>{{1048576, 8, 8}};
  BOOST_TEST(to_string(s.finding("resources.memory").status) == "pass");
}

BOOST_AUTO_TEST_CASE(cpu_count_and_overcommit) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("resources.cpu").status) == "pass");
  s.vm.vcpus = 32;
  BOOST_TEST(s.finding("resources.cpu").message == "vm1 has 32 vCPUs, hostB only 16 CPUs");
  s.vm.vcpus = 2;
  VmFacts busy;
  busy.name = "busy";
  busy.state = "running";
  busy.vcpus = 15;
  s.destination.vms = std::vector<VmFacts>{busy};
  s.policy.cpu_overcommit = 1.0;
  const Finding f = s.finding("resources.cpu");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.evidence["after_move_vcpus"] == 17);
  s.policy.cpu_overcommit = 2.0;
  BOOST_TEST(to_string(s.finding("resources.cpu").status) == "pass");
}

BOOST_AUTO_TEST_CASE(distinct_hosts_by_uuid_else_name) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("host.distinct").status) == "pass");
  s.destination.host_uuid = s.source.host_uuid;
  BOOST_TEST(to_string(s.finding("host.distinct").status) == "block");
  s.source.host_uuid = Fact<std::string>::unknown("test driver");
  BOOST_TEST(to_string(s.finding("host.distinct").status) == "pass");  // names differ
  s.destination.name = "hostA";
  BOOST_TEST(to_string(s.finding("host.distinct").status) == "block");
}

BOOST_AUTO_TEST_CASE(pool_only_when_the_policy_requires_it) {
  Scenario s;
  s.destination.pool_membership = "lab";
  BOOST_TEST(to_string(s.finding("host.pool").status) == "skip");
  s.policy.require_same_pool = true;
  BOOST_TEST(to_string(s.finding("host.pool").status) == "block");
  s.destination.pool_membership = "prod";
  BOOST_TEST(to_string(s.finding("host.pool").status) == "pass");
}

BOOST_AUTO_TEST_CASE(hypervisor_versions_compare_numerically_and_machine_types) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("hypervisor.compat").status) == "pass");
  s.source.hypervisor.libvirt_version = std::string("9.10.0");
  s.destination.hypervisor.libvirt_version = std::string("9.9.0");
  const Finding f = s.finding("hypervisor.compat");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("libvirt 9.9.0 on hostB is older than 9.10.0 on hostA") != std::string::npos);
  Scenario m;
  m.vm.machine_type = "pc-q35-8.2";
  BOOST_TEST(to_string(m.finding("hypervisor.compat").status) == "block");
  m.destination.hypervisor.machine_types = Fact<std::vector<std::string>>::unknown("test driver");
  BOOST_TEST(to_string(m.finding("hypervisor.compat").status) == "pass");
  m.destination.hypervisor.hypervisor_version = Fact<std::string>::unknown("no call");
  BOOST_TEST(to_string(m.finding("hypervisor.compat").status) == "error");
}

BOOST_AUTO_TEST_CASE(a_guest_of_another_architecture_needs_an_emulator_for_it_and_never_runs_under_kvm) {
  Scenario s;
  s.vm.arch = "i686";  // an x86_64 host runs i686 guests natively
  BOOST_TEST(to_string(s.finding("hypervisor.compat").status) == "pass");
  s.vm.arch = "aarch64";
  const Finding kvm = s.finding("hypervisor.compat");
  BOOST_TEST(to_string(kvm.status) == "block");
  BOOST_TEST(kvm.message.find("guest architecture aarch64 under KVM, and hostB is x86_64") != std::string::npos, kvm.message);
  // Emulated (TCG): it needs qemu-system-aarch64 on the destination, the emulator it
  // names, or (a domain XML naming none) one of the destination's.
  s.vm.virt_type = "qemu";
  s.vm.emulator = "/usr/bin/qemu-system-aarch64";
  BOOST_TEST(to_string(s.finding("hypervisor.compat").status) == "block");
  s.vm.emulator.clear();
  const Finding tcg = s.finding("hypervisor.compat");
  BOOST_TEST(to_string(tcg.status) == "block");
  BOOST_TEST(tcg.message.find("no emulator for aarch64 guests (qemu-system-aarch64) on hostB") != std::string::npos,
             tcg.message);
  s.destination.hypervisor.emulators =
      std::vector<std::string>{"/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-system-aarch64"};
  BOOST_TEST(to_string(s.finding("hypervisor.compat").status) == "pass");
  // The destination's own architecture unknown: not checked, and said so.
  s.vm.virt_type = "kvm";
  s.destination.arch = Fact<std::string>::unknown("not collected");
  const Finding unknown = s.finding("hypervisor.compat");
  BOOST_TEST(to_string(unknown.status) == "pass");
  BOOST_TEST(unknown.evidence["not_checked"].dump().find("architecture aarch64 not checked") != std::string::npos,
             unknown.evidence.dump());
}

BOOST_AUTO_TEST_CASE(concurrency_says_the_limit) {
  const Finding f = Scenario().finding("migrate.concurrency");
  BOOST_TEST(to_string(f.status) == "pass");
  BOOST_TEST(f.message.find("at most 4 concurrent migrations per host (8 on 10 GbE)") == 0);
}
