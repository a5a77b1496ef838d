// collect_libvirt on the demo lab (fixtures/lab, libvirt's test driver), checked
// against the lab's design and against what virsh prints for the same host.
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <algorithm>
#include <sstream>

#include "collect/libvirt_collector.hpp"
#include "core/error.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;
using preflight::test::run_process;

namespace {

std::string uri_of(const std::string& host) { return "test://" + fixture("lab/" + host + ".xml"); }

const HostFacts& lab(const std::string& host) {
  static std::map<std::string, HostFacts> cache;
  auto it = cache.find(host);
  if (it == cache.end()) it = cache.emplace(host, collect_libvirt(uri_of(host))).first;
  return it->second;
}

template <class T>
const T& named(const std::vector<T>& list, const std::string& name) {
  const auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == name; });
  BOOST_REQUIRE_MESSAGE(it != list.end(), "no " << name);
  return *it;
}

const VmFacts& vm(const std::string& host, const std::string& name) { return named(lab(host).vms.value(), name); }
const PoolFacts& pool(const std::string& host, const std::string& name) { return named(lab(host).pools.value(), name); }

std::vector<std::string> virsh_lines(const std::string& host, std::vector<std::string> args) {
  std::vector<std::string> argv = {"virsh", "-q", "-c", uri_of(host)};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_process(argv);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "virsh failed: " << r.err);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) lines.push_back(l);
  }
  return lines;
}

// "Used memory:    4194304 KiB" -> "4194304 KiB"
std::string virsh_field(const std::vector<std::string>& lines, const std::string& key) {
  for (const auto& l : lines) {
    if (l.rfind(key + ":", 0) == 0) {
      std::string v = l.substr(key.size() + 1);
      return v.substr(v.find_first_not_of(' '));
    }
  }
  return "<no " + key + ">";
}

std::string error_of(const std::string& uri) {
  return preflight::test::error_of([&] { collect_libvirt(uri); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(identity_hypervisor_and_topology) {
  const HostFacts& a = lab("hostA");
  BOOST_TEST(a.source == uri_of("hostA"));
  BOOST_TEST(a.hostname.known());
  BOOST_TEST(a.arch.value() == "x86_64");
  BOOST_TEST(!a.host_uuid.known());
  BOOST_TEST(a.hypervisor.driver.value() == "TEST");
  BOOST_TEST(a.hypervisor.libvirt_version.value().rfind("9.", 0) == 0);
  BOOST_TEST(a.hypervisor.hypervisor_version.value() == "0.0.2");  // virsh version: "Running hypervisor: TEST 0.0.2"
  BOOST_TEST(!a.hypervisor.machine_types.known());
  BOOST_TEST(!a.cpu.host_model.known());
  BOOST_TEST(a.cpu.host_model.reason() == "the libvirt test driver has no domain capabilities");
  BOOST_TEST(!a.offers.known());
  BOOST_TEST(a.offers.reason() == "the libvirt test driver has no domain capabilities");
  BOOST_TEST(a.hypervisor.firmware.reason() == "the libvirt test driver has no domain capabilities");
  BOOST_TEST(!a.cpu.libvirt_cpu.known());
  BOOST_TEST(!a.cpu.cpuid.known());
  BOOST_TEST(!a.firmware.virtualization.known());
  BOOST_TEST(a.topology.cpus.value() == 96u);
  BOOST_TEST(a.topology.sockets.value() == 2u);
  BOOST_TEST(a.topology.cores_per_socket.value() == 24u);
  BOOST_TEST(a.topology.threads_per_core.value() == 2u);
  BOOST_TEST(a.topology.numa_nodes.value() == 2u);
  BOOST_TEST(a.topology.mhz.value() == 2999u);
}

BOOST_AUTO_TEST_CASE(memory_total_and_derived_free) {
  const HostFacts& a = lab("hostA");
  BOOST_TEST(a.memory.total_kib.value() == 384ULL << 20);
  // running: web1 4 + db1 32 + app2 8 + build1 16 + cluster1 8 + gpu1 16 = 84 GiB; win1 is shut off
  BOOST_TEST(a.memory.free_kib.value() == (384ULL - 84) << 20);
  BOOST_TEST(a.memory.free_note ==
             "derived: node memory minus the current memory of the 6 active domain(s); the TEST driver reports no "
             "free memory");
  // hostB: legacy1 8 + media1 4 + erp1 96 + lb1 4 of 128 GiB
  BOOST_TEST(lab("hostB").memory.free_kib.value() == 16ULL << 20);
  // hostC: the paused ws1 (4 GiB) holds its memory too; lab2 is shut off
  BOOST_TEST(lab("hostC").memory.free_kib.value() == (512ULL - 16 - 8 - 2 - 4) << 20);
  BOOST_TEST(!a.memory.hugepages.known());
}

BOOST_AUTO_TEST_CASE(every_domain_with_its_state_as_virsh_says) {
  for (const std::string host : {"hostA", "hostB", "hostC"}) {
    const auto names = virsh_lines(host, {"list", "--all", "--name"});
    BOOST_TEST(lab(host).vms.value().size() == names.size());
    for (const auto& name : names) {
      std::string state = virsh_lines(host, {"domstate", name}).at(0);
      if (state == "shut off") state = "shutoff";
      BOOST_TEST(vm(host, name).state == state, host << " " << name);
      const auto info = virsh_lines(host, {"dominfo", name});
      BOOST_TEST(std::to_string(vm(host, name).memory_kib) + " KiB" == virsh_field(info, "Max memory"));
      BOOST_TEST(std::to_string(vm(host, name).vcpus) == virsh_field(info, "CPU(s)"));
      BOOST_TEST(vm(host, name).uuid == virsh_field(info, "UUID"));
    }
  }
  BOOST_TEST(vm("hostA", "win1").state == "shutoff");
  BOOST_TEST(vm("hostC", "ws1").state == "paused");
}

BOOST_AUTO_TEST_CASE(vm_cpu_modes) {
  BOOST_TEST(vm("hostA", "web1").cpu.mode == "custom");
  BOOST_TEST(vm("hostA", "web1").cpu.model == "Haswell-noTSX");
  BOOST_TEST(vm("hostA", "app2").cpu.mode == "host-model");
  BOOST_TEST(vm("hostA", "build1").cpu.mode == "host-passthrough");
  const auto& db1 = vm("hostA", "db1");
  BOOST_TEST(db1.cpu.model == "Skylake-Server-noTSX-IBRS");
  BOOST_REQUIRE_EQUAL(db1.cpu.features.size(), 2u);
  BOOST_TEST(db1.cpu.features[1].name == "mpx");
  BOOST_TEST(db1.cpu.features[1].policy == "disable");
  BOOST_TEST(vm("hostC", "epyc1").cpu.model == "EPYC-Rome");
}

BOOST_AUTO_TEST_CASE(disks_with_sizes_from_the_pools) {
  const auto& web1 = vm("hostA", "web1");
  BOOST_REQUIRE_EQUAL(web1.disks.size(), 1u);
  BOOST_TEST(web1.disks[0].source == "/var/lib/libvirt/images/prod/web1.qcow2");
  BOOST_TEST(web1.disks[0].format == "qcow2");
  BOOST_TEST(web1.disks[0].capacity_bytes.value() == 20ULL << 30);
  BOOST_TEST(web1.disks[0].allocation_bytes.value() == 6ULL << 30);

  const auto& cluster1 = vm("hostA", "cluster1");
  BOOST_TEST(cluster1.disks.at(1).shareable);
  const auto& media1 = vm("hostB", "media1");
  BOOST_TEST(media1.disks.at(1).device == "cdrom");
  BOOST_TEST(media1.disks.at(1).type == "block");
  BOOST_TEST(media1.disks.at(1).source == "/dev/sr0");
  BOOST_TEST(!media1.disks.at(1).capacity_bytes.known());
  const auto& win1 = vm("hostA", "win1");
  BOOST_TEST(win1.disks.at(1).source == "/var/lib/libvirt/iso/win2022.iso");
  BOOST_TEST(win1.loader == "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  BOOST_TEST(win1.tpm == "tpm-crb/emulator");
  const auto& erp1 = vm("hostB", "erp1");
  BOOST_TEST(erp1.disks.at(1).type == "volume");
  BOOST_TEST(erp1.disks.at(1).source == "iscsi-erp/unit:0:0:1");
  BOOST_TEST(erp1.disks.at(1).capacity_bytes.value() == 80ULL << 30);
  const auto& epyc1 = vm("hostC", "epyc1");
  BOOST_TEST(epyc1.disks.at(0).protocol == "rbd");
  BOOST_TEST(epyc1.disks.at(0).hosts.size() == 3u);
}

BOOST_AUTO_TEST_CASE(nics_chardevs_hostdevs_and_pinning) {
  const auto& db1 = vm("hostA", "db1");
  BOOST_TEST(db1.interfaces.at(0).network == "prod");
  BOOST_TEST(db1.interfaces.at(0).portgroup == "db");
  BOOST_TEST(db1.interfaces.at(0).mac == "52:54:00:0a:00:02");
  BOOST_TEST(db1.hugepages);
  BOOST_TEST(db1.hugepage_size_kib == 1048576u);
  BOOST_TEST(db1.cputune.vcpupins.size() == 8u);
  BOOST_TEST(db1.cputune.emulatorpin == "0-1");
  BOOST_TEST(vm("hostB", "lb1").interfaces.at(0).bridge == "br-stor");
  const auto& legacy1 = vm("hostB", "legacy1");
  const auto serial = std::find_if(legacy1.chardevs.begin(), legacy1.chardevs.end(),
                                   [](const CharDeviceFacts& c) { return c.kind == "serial" && c.type == "dev"; });
  BOOST_REQUIRE(serial != legacy1.chardevs.end());
  BOOST_TEST(serial->source == "/dev/ttyS0");
  BOOST_TEST(vm("hostA", "gpu1").hostdevs.at(0).address == "0000:3b:00.0");
  BOOST_TEST(vm("hostC", "lab1").hostdevs.at(0).address == "usb 046d:c52b");
  BOOST_TEST(vm("hostC", "ws1").cputune.vcpu_cpuset == "8-15");
}

BOOST_AUTO_TEST_CASE(networks_with_port_groups) {
  const auto& nets = lab("hostA").networks.value();
  BOOST_TEST(nets.size() == virsh_lines("hostA", {"net-list", "--all", "--name"}).size());
  const auto& prod = named(nets, "prod");
  BOOST_TEST(prod.active);
  BOOST_TEST(prod.forward_mode == "bridge");
  BOOST_TEST(prod.bridge == "br0");
  BOOST_REQUIRE_EQUAL(prod.portgroups.size(), 2u);
  BOOST_TEST(prod.portgroups[0].name == "web");
  BOOST_TEST(prod.portgroups[0].is_default);
  BOOST_TEST(prod.portgroups[1].name == "db");
  BOOST_TEST(named(nets, "default").forward_mode == "nat");
  BOOST_TEST(named(nets, "default").subnets == std::vector<std::string>{"192.168.122.1/24"});
  BOOST_TEST(named(lab("hostC").networks.value(), "isolated").forward_mode == "");
}

BOOST_AUTO_TEST_CASE(bridges_with_members) {
  const auto& a = lab("hostA").bridges.value();
  BOOST_TEST(a.size() == 2u);
  const auto& br0 = named(a, "br0");
  BOOST_REQUIRE_EQUAL(br0.members.size(), 1u);
  BOOST_TEST(br0.members[0].name == "bond0");
  BOOST_TEST(br0.members[0].physical.value());
  BOOST_TEST(br0.subnets == std::vector<std::string>{"10.10.0.11/24"});
  BOOST_TEST(named(a, "br-stor").members.at(0).name == "eno3");
  BOOST_TEST(named(lab("hostB").bridges.value(), "br-stor").members.empty());  // no physical NIC on B
  const auto& br_lab = named(lab("hostC").bridges.value(), "br-lab");
  BOOST_TEST(br_lab.members.at(0).name == "enp65s0f0.20");
  BOOST_TEST(!br_lab.members.at(0).physical.value());
}

// NICs are the net node devices whose parent is a device: a host with a PCI NIC
// that is up, one that is down and a VM's tap device has the two NICs; the lab's
// hosts define no node devices, so libvirt lists no NIC there (a known empty list).
BOOST_AUTO_TEST_CASE(nics_are_the_node_devices_libvirt_lists) {
  const HostFacts h = collect_libvirt("test://" + fixture("xml/test-driver-nics.xml"));
  BOOST_REQUIRE_MESSAGE(h.nics.known(), h.nics.reason());
  const auto& nics = h.nics.value();
  BOOST_REQUIRE_EQUAL(nics.size(), 2u);
  BOOST_TEST(named(nics, "eno1").speed_mbps.value() == 10000u);
  BOOST_TEST(named(nics, "eno1").up);
  BOOST_TEST(named(nics, "eno2").speed_mbps.reason() == "libvirt reports no link speed for eno2 (link down)");
  BOOST_TEST(!named(nics, "eno2").up);
  BOOST_TEST(lab("hostA").nics.known());
  BOOST_TEST(lab("hostA").nics.value().empty());
}

BOOST_AUTO_TEST_CASE(pools_sources_and_volumes) {
  const auto& prod_a = pool("hostA", "prod");
  const auto& prod_b = pool("hostB", "prod");
  BOOST_TEST(prod_a.type == "netfs");
  BOOST_TEST(prod_a.active);
  BOOST_TEST(prod_a.source.hosts == std::vector<std::string>{"nfs1.lab.example"});
  BOOST_TEST(prod_a.source.dir == "/export/prod");
  BOOST_TEST(prod_a.target_path == "/var/lib/libvirt/images/prod");
  BOOST_TEST((prod_a.source == prod_b.source && prod_a.target_path == prod_b.target_path));  // shared storage
  BOOST_TEST(prod_a.volumes == prod_b.volumes);
  BOOST_TEST(prod_a.volumes.size() == virsh_lines("hostA", {"vol-list", "prod"}).size());
  const auto& v = named(prod_a.volumes, "db1-data.raw");
  BOOST_TEST(v.format == "raw");
  BOOST_TEST(v.path == "/var/lib/libvirt/images/prod/db1-data.raw");
  BOOST_TEST(v.capacity_bytes.value() == 200ULL << 30);

  const auto info = virsh_lines("hostA", {"pool-info", "--bytes", "prod"});
  BOOST_TEST(std::to_string(prod_a.capacity_bytes.value()) == virsh_field(info, "Capacity"));
  BOOST_TEST(std::to_string(prod_a.available_bytes.value()) == virsh_field(info, "Available"));

  const auto& iscsi = pool("hostB", "iscsi-erp");
  BOOST_TEST(iscsi.source.hosts == std::vector<std::string>{"san1.lab.example:3260"});
  BOOST_TEST(iscsi.source.devices == std::vector<std::string>{"iqn.2020-01.example.lab:san1.erp"});
  const auto& rbd = pool("hostC", "ceph");
  BOOST_TEST(rbd.source.name == "vms");
  BOOST_TEST(rbd.source.hosts.size() == 3u);
  BOOST_TEST(pool("hostC", "fc-array").source.adapter == "20000000c9831b4b:10000000c9831b4b");
  BOOST_TEST(pool("hostC", "lab").source.hosts == std::vector<std::string>{"nfs2.lab.example"});
}

BOOST_AUTO_TEST_CASE(unreachable_or_invalid_uri_is_an_error) {
  BOOST_TEST(error_of("test:///nonexistent.xml") ==
             "test:///nonexistent.xml: cannot connect: /nonexistent.xml: cannot read: No such file or directory; a "
             "test:/// URI names a libvirt test-driver host XML file (<node>)");
  const std::string bad = "test://" + fixture("xml/domain-malformed.xml");
  const std::string msg = error_of(bad);
  BOOST_TEST(msg.rfind(bad + ": cannot connect: ", 0) == 0, msg);
  BOOST_TEST(msg.find("domain-malformed.xml:7: Opening and ending tag mismatch: disk line 5 and devices; check") !=
                 std::string::npos,
             msg);
  BOOST_TEST(msg.find('\n') == std::string::npos, msg);  // one line
  BOOST_TEST(error_of("nosuchdriver:///x").rfind("nosuchdriver:///x: cannot connect: ", 0) == 0);
}
