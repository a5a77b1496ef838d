#include "support/rules_scenario.hpp"

#include <stdexcept>

namespace preflight::test {

namespace {
}

HostFacts scenario_host(const std::string& name, const std::string& uuid) {
  HostFacts h;
  h.name = name;
  h.source = "test";
  h.hostname = name + ".lab.example";
  h.host_uuid = uuid;
  h.arch = std::string("x86_64");
  h.cpu.vendor = std::string("GenuineIntel");
  CpuDefinition cpu;
  cpu.arch = "x86_64";
  cpu.model = "Haswell-noTSX";
  cpu.vendor = "Intel";
  cpu.signature = CpuSignature{6, 63, 2};
  h.cpu.libvirt_cpu = cpu;
  GuestOffer kvm;  // domain capabilities for kvm guests: host-model is the same CPU
  kvm.virt_type = "kvm";
  kvm.host_model = cpu;
  kvm.host_passthrough = kvm.maximum = true;
  h.offers = std::vector<GuestOffer>{kvm};
  h.memory.total_kib = uint64_t{64} * 1024 * 1024;
  h.memory.free_kib = uint64_t{32} * 1024 * 1024;
  h.memory.hugepages = std::vector<HugepagePool>{{2048, 1024, 1024}};
  h.topology.cpus = uint32_t{16};
  h.topology.online = std::string("0-15");
  h.hypervisor.driver = std::string("QEMU");
  h.hypervisor.libvirt_version = std::string("9.0.0");
  h.hypervisor.hypervisor_version = std::string("7.2.0");
  h.hypervisor.machine_types = std::vector<std::string>{"pc-q35-7.2", "q35", "pc-i440fx-7.2", "pc"};
  h.hypervisor.emulators = std::vector<std::string>{"/usr/bin/qemu-system-x86_64"};

  NetworkFacts def{"default", "nat", "virbr0", {}, {}, {"192.168.122.1/24"}, true};
  NetworkFacts prod{"prod", "bridge", "br0", {}, {{"web", true}, {"db", false}}, {}, true};
  h.networks = std::vector<NetworkFacts>{def, prod};
  BridgeFacts br0{"br0", {{"eno1", Fact<bool>(true)}}, {name == "hostA" ? "10.0.0.11/24" : "10.0.0.12/24"}};
  h.bridges = std::vector<BridgeFacts>{br0};

  PoolFacts shared;
  shared.name = "shared";
  shared.type = "netfs";
  shared.source.hosts = {"nfs1.lab.example"};
  shared.source.dir = "/export/prod";
  shared.target_path = "/var/lib/libvirt/images/shared";
  shared.active = true;
  shared.capacity_bytes = 1000 * kGiB;
  shared.available_bytes = 500 * kGiB;
  VolumeFacts vol{"vm1.qcow2", "/var/lib/libvirt/images/shared/vm1.qcow2", "file", "qcow2", 20 * kGiB, 5 * kGiB};
  shared.volumes = {vol};
  PoolFacts local;
  local.name = "local";
  local.type = "dir";
  local.target_path = "/var/lib/libvirt/images";
  local.active = true;
  local.capacity_bytes = 200 * kGiB;
  local.available_bytes = 100 * kGiB;
  h.pools = std::vector<PoolFacts>{shared, local};
  h.mounts = std::vector<MountFacts>{};
  h.vms = std::vector<VmFacts>{};
  h.pool_membership = "prod";
  return h;
}

Scenario::Scenario() {
  source = scenario_host("hostA", "11111111-1111-1111-1111-111111111111");
  destination = scenario_host("hostB", "22222222-2222-2222-2222-222222222222");
  vm.name = "vm1";
  vm.uuid = "33333333-3333-3333-3333-333333333333";
  vm.state = "running";
  vm.virt_type = "kvm";
  vm.memory_kib = vm.current_memory_kib = 4 * 1024 * 1024;
  vm.vcpus = 2;
  vm.arch = "x86_64";
  vm.machine_type = "q35";
  vm.emulator = "/usr/bin/qemu-system-x86_64";
  vm.has_cpu = true;
  vm.cpu.mode = "custom";
  vm.cpu.match = "exact";
  vm.cpu.model = "Haswell-noTSX";
  DiskFacts vda;
  vda.type = "file";
  vda.device = "disk";
  vda.target = "vda";
  vda.source = "/var/lib/libvirt/images/shared/vm1.qcow2";
  vda.format = "qcow2";
  vda.cache = "none";
  vm.disks = {vda};
  InterfaceFacts nic;
  nic.type = "network";
  nic.network = "prod";
  nic.portgroup = "web";
  nic.mac = "52:54:00:00:00:01";
  vm.interfaces = {nic};
  source.vms = std::vector<VmFacts>{vm};
}

const RuleCatalog& shipped_catalog() {
  static const RuleCatalog catalog = load_rule_catalog(default_rules_dir());
  return catalog;
}

const CpuCatalog& cpu_catalog() {
  static const CpuCatalog catalog = CpuCatalog::load();
  return catalog;
}

Verdict Scenario::evaluate() const {
  return preflight::evaluate(shipped_catalog(), CheckRequest{source, destination, vm, policy, link, today, &cpu_catalog(), mode});
}

Finding Scenario::finding(const std::string& rule) const {
  for (const auto& f : evaluate().results)
    if (f.rule == rule) return f;
  throw std::runtime_error("no finding for rule " + rule);
}

Scenario local_disk() {
  Scenario s;
  s.vm.disks[0].source = "/var/lib/libvirt/images/vm1.qcow2";
  s.vm.disks[0].capacity_bytes = 20 * kGiB;
  return s;
}

}  // namespace preflight::test
