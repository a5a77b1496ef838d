// Capabilities, domain capabilities, network, interface, pool and volume XML
// parsers on recorded samples (fixtures/xml).
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "collect/capabilities_xml.hpp"
#include "collect/libvirt_xml.hpp"
#include "collect/network_xml.hpp"
#include "collect/pool_xml.hpp"
#include "core/error.hpp"
#include "core/xml_text.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {
std::string slurp(const std::string& name) {
  std::ifstream in(fixture("xml/" + name));
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
using preflight::test::error_of;
}  // namespace

BOOST_AUTO_TEST_CASE(capabilities_host_identity_cpu_and_topology) {
  HostFacts h;
  parse_capabilities_xml(slurp("qemu-capabilities.xml"), "caps.xml", h);
  BOOST_TEST(h.host_uuid.value() == "4c4c4544-0051-3610-8052-b3c04f4d3732");
  BOOST_TEST(h.arch.value() == "x86_64");
  const CpuDefinition& cpu = h.cpu.libvirt_cpu.value();
  BOOST_TEST(cpu.model == "Skylake-Server-IBRS");
  BOOST_TEST(cpu.vendor == "Intel");
  BOOST_TEST(cpu.microcode == "33581318");
  BOOST_REQUIRE(cpu.signature.has_value());
  BOOST_TEST(cpu.signature->model == 85u);
  BOOST_TEST(cpu.features.size() == 29u);
  BOOST_TEST(h.topology.sockets.value() == 2u);
  BOOST_TEST(h.topology.cores_per_socket.value() == 8u);
  BOOST_TEST(h.topology.threads_per_core.value() == 2u);
  BOOST_TEST(h.topology.numa_nodes.value() == 2u);
  BOOST_TEST(h.topology.cpus.value() == 32u);
  BOOST_TEST(h.topology.online.value() == "0-31");
  BOOST_TEST(h.firmware.iommu.value() == true);
}

BOOST_AUTO_TEST_CASE(capabilities_machine_types_and_emulators_of_x86_64) {
  HostFacts h;
  parse_capabilities_xml(slurp("qemu-capabilities.xml"), "caps.xml", h);
  const auto& machines = h.hypervisor.machine_types.value();
  BOOST_TEST(machines.size() == 11u);  // 9 machines + the aliases pc and q35
  BOOST_TEST(std::count(machines.begin(), machines.end(), "pc-q35-7.2") == 1);
  BOOST_TEST(std::count(machines.begin(), machines.end(), "q35") == 1);
  BOOST_TEST(std::count(machines.begin(), machines.end(), "microvm") == 1);
  BOOST_TEST(h.hypervisor.emulators.value() == std::vector<std::string>{"/usr/bin/qemu-system-x86_64"});
}

BOOST_AUTO_TEST_CASE(capabilities_hugepage_totals_sum_the_cells) {
  const auto pools = capabilities_hugepages(slurp("qemu-capabilities.xml"), "caps.xml");
  BOOST_REQUIRE_EQUAL(pools.size(), 2u);
  BOOST_TEST(pools[0].size_kib == 2048u);
  BOOST_TEST(pools[0].total == 2048u);
  BOOST_TEST(pools[1].size_kib == 1048576u);
  BOOST_TEST(pools[1].total == 16u);
}

BOOST_AUTO_TEST_CASE(capabilities_without_uuid_model_or_x86_64_guest_are_unknown) {
  HostFacts h;
  parse_capabilities_xml(
      "<capabilities><host><cpu><arch>i686</arch></cpu></host>"
      "<guest><os_type>hvm</os_type><arch name='i686'><emulator>/usr/bin/test-hv</emulator></arch></guest></capabilities>",
      "test", h);
  BOOST_TEST(!h.host_uuid.known());
  BOOST_TEST(h.host_uuid.reason() == "capabilities report no host UUID");
  BOOST_TEST(!h.cpu.libvirt_cpu.known());
  BOOST_TEST(!h.hypervisor.machine_types.known());
  BOOST_TEST(h.hypervisor.emulators.reason() == "capabilities list no x86_64 hvm guest");
  BOOST_TEST(capabilities_hugepages("<capabilities><host/></capabilities>", "t").empty());
}

BOOST_AUTO_TEST_CASE(domcaps_host_model_firmware_and_machine) {
  HostFacts h;
  parse_domcaps_xml(slurp("qemu-domcapabilities.xml"), "domcaps.xml", h);
  const CpuDefinition& hm = h.cpu.host_model.value();
  BOOST_TEST(hm.mode == "host-model");
  BOOST_TEST(hm.model == "Skylake-Server-IBRS");
  BOOST_TEST(hm.arch == "x86_64");
  BOOST_TEST(hm.features.size() == 26u);
  BOOST_TEST(hm.features.back().name == "mpx");
  BOOST_TEST(hm.features.back().policy == "disable");
  BOOST_TEST(h.hypervisor.firmware.value().size() == 3u);
  BOOST_TEST(h.hypervisor.firmware.value().front() == "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  BOOST_TEST(h.hypervisor.machine_types.value() == std::vector<std::string>{"pc-q35-7.2"});
  BOOST_TEST(h.hypervisor.emulators.value() == std::vector<std::string>{"/usr/bin/qemu-system-x86_64"});
}

BOOST_AUTO_TEST_CASE(domcaps_merge_into_capabilities_without_duplicates) {
  HostFacts h;
  parse_capabilities_xml(slurp("qemu-capabilities.xml"), "caps.xml", h);
  parse_domcaps_xml(slurp("qemu-domcapabilities.xml"), "domcaps.xml", h);
  BOOST_TEST(h.hypervisor.machine_types.value().size() == 11u);
  BOOST_TEST(h.hypervisor.emulators.value().size() == 1u);
}

BOOST_AUTO_TEST_CASE(domcaps_without_host_model_is_unknown) {
  HostFacts h;
  parse_domcaps_xml("<domainCapabilities><arch>x86_64</arch><cpu><mode name='host-model' supported='no'/></cpu>"
                    "</domainCapabilities>",
                    "d", h);
  BOOST_TEST(!h.cpu.host_model.known());
  BOOST_TEST(h.cpu.host_model.reason() == "domain capabilities: host-model CPU not supported");
  BOOST_TEST(h.hypervisor.firmware.value().empty());
}

BOOST_AUTO_TEST_CASE(domcaps_give_the_offer_of_their_domain_type) {
  const GuestOffer o = parse_guest_offer(slurp("qemu-domcapabilities.xml"), "domcaps.xml");
  BOOST_TEST(o.virt_type == "kvm");
  BOOST_TEST(o.emulator == "/usr/bin/qemu-system-x86_64");
  BOOST_TEST(o.machine == "pc-q35-7.2");
  BOOST_TEST(o.host_model.value().model == "Skylake-Server-IBRS");
  BOOST_TEST(o.host_model.value().vendor == "Intel");
  BOOST_TEST(o.host_model.value().features.back().name == "mpx");
  BOOST_TEST(o.host_model.value().features.back().policy == "disable");
  BOOST_TEST(o.host_passthrough);
  BOOST_TEST(o.maximum);
  BOOST_TEST(o.models.size() == 6u);
  BOOST_TEST(o.models.front().name == "qemu64");
  BOOST_TEST(o.models.front().usable == "yes");
  BOOST_TEST(o.models[2].name == "Skylake-Server");
  BOOST_TEST(o.models[2].usable == "no");
  BOOST_TEST(o.models[2].vendor == "Intel");
  BOOST_TEST(o.firmware_supported);
  BOOST_TEST(o.loaders.size() == 3u);
  HostFacts h;
  parse_domcaps_xml(slurp("qemu-domcapabilities.xml"), "domcaps.xml", h);
  BOOST_TEST_REQUIRE(h.offers.known());
  BOOST_TEST((h.offers.value() == std::vector<GuestOffer>{o}));
  BOOST_TEST((h.cpu.host_model.value() == o.host_model.value()));
}

// Recorded from the lab's real libvirtd 9.0 + QEMU 7.2 (fixtures/xml/lab-domcaps-*.xml).
BOOST_AUTO_TEST_CASE(the_lab_offers_tcg_guests_an_epyc_and_kvm_guests_a_kvm64) {
  const GuestOffer tcg = parse_guest_offer(slurp("lab-domcaps-qemu.xml"), "lab-domcaps-qemu.xml");
  BOOST_TEST(tcg.virt_type == "qemu");
  BOOST_TEST(tcg.machine == "pc-i440fx-7.2");
  BOOST_TEST(!tcg.host_passthrough);  // TCG cannot pass a host CPU through
  BOOST_TEST(tcg.maximum);
  const CpuDefinition& hm = tcg.host_model.value();
  BOOST_TEST(hm.model == "EPYC");
  BOOST_TEST(hm.vendor == "AMD");
  BOOST_TEST(hm.features.size() == 28u);
  BOOST_TEST(hm.features.front().name == "acpi");
  BOOST_TEST(hm.features.front().policy == "require");
  BOOST_TEST(hm.features.back().name == "nrip-save");
  BOOST_TEST(hm.features.back().policy == "disable");
  BOOST_TEST(tcg.models.size() == 53u);
  const auto usable = std::count_if(tcg.models.begin(), tcg.models.end(), [](const CpuModelOffer& m) {
    return m.usable == "yes";
  });
  BOOST_TEST(usable == 18);
  const auto epyc = std::find_if(tcg.models.begin(), tcg.models.end(), [](const CpuModelOffer& m) {
    return m.name == "EPYC";
  });
  BOOST_TEST_REQUIRE((epyc != tcg.models.end()));
  BOOST_TEST(epyc->usable == "no");
  BOOST_TEST(epyc->vendor == "AMD");
  BOOST_TEST(epyc->blockers.empty());  // libvirt 9.0 names none
  BOOST_TEST(tcg.firmware_supported);
  BOOST_TEST(tcg.loaders.empty());  // no OVMF installed there

  const GuestOffer kvm = parse_guest_offer(slurp("lab-domcaps-kvm.xml"), "lab-domcaps-kvm.xml");
  BOOST_TEST(kvm.virt_type == "kvm");
  BOOST_TEST(kvm.host_passthrough);
  BOOST_TEST(kvm.host_model.value().model == "kvm64");  // nested KVM: a reduced CPU
  BOOST_TEST(kvm.host_model.value().vendor == "Intel");
}

BOOST_AUTO_TEST_CASE(domcaps_blockers_are_read_where_libvirt_names_them) {
  const GuestOffer o = parse_guest_offer(
      "<domainCapabilities><domain>qemu</domain><arch>x86_64</arch><cpu>"
      "<mode name='host-passthrough' supported='no'/><mode name='custom' supported='yes'>"
      "<model usable='no' vendor='Intel'>Skylake-Client</model><model usable='unknown'>Odd</model>"
      "<blockers model='Skylake-Client'><feature name='hle'/><feature name='rtm'/></blockers>"
      "</mode></cpu></domainCapabilities>",
      "d");
  BOOST_TEST(!o.host_passthrough);
  BOOST_TEST(!o.host_model.known());
  BOOST_TEST(o.host_model.reason() == "domain capabilities for qemu guests: host-model CPU not supported");
  BOOST_TEST((o.models.front().blockers == std::vector<std::string>{"hle", "rtm"}));
  BOOST_TEST(o.models.back().usable == "unknown");
  BOOST_TEST(!o.firmware_supported);
}

BOOST_AUTO_TEST_CASE(capabilities_list_the_domain_types) {
  BOOST_TEST((capabilities_domain_types(slurp("qemu-capabilities.xml"), "caps.xml") ==
              std::vector<std::string>{"qemu", "kvm"}));
}

BOOST_AUTO_TEST_CASE(networks) {
  const NetworkFacts nat = parse_network_xml(slurp("network-default.xml"), "n");
  BOOST_TEST(nat.name == "default");
  BOOST_TEST(nat.forward_mode == "nat");
  BOOST_TEST(nat.bridge == "virbr0");
  BOOST_TEST(nat.subnets == (std::vector<std::string>{"192.168.122.1/24", "fd00:122::1/64"}));
  BOOST_TEST(!nat.active);

  const NetworkFacts prod = parse_network_xml(slurp("network-prod.xml"), "n");
  BOOST_TEST(prod.forward_mode == "bridge");
  BOOST_TEST(prod.bridge == "br0");
  BOOST_REQUIRE_EQUAL(prod.portgroups.size(), 2u);
  BOOST_TEST(prod.portgroups[0].name == "web");
  BOOST_TEST(prod.portgroups[0].is_default);
  BOOST_TEST(prod.portgroups[1].name == "db");
  BOOST_TEST(!prod.portgroups[1].is_default);

  const NetworkFacts iso = parse_network_xml(slurp("network-isolated.xml"), "n");
  BOOST_TEST(iso.forward_mode == "");
  BOOST_TEST(iso.subnets == std::vector<std::string>{"10.99.0.1/24"});

  const NetworkFacts sriov = parse_network_xml(slurp("network-passthrough.xml"), "n");
  BOOST_TEST(sriov.forward_mode == "hostdev");
  BOOST_TEST(sriov.forward_devs == std::vector<std::string>{"enp65s0f0"});

  BOOST_TEST(parse_network_xml("<network><name>x</name><forward/></network>", "n").forward_mode == "nat");
}

BOOST_AUTO_TEST_CASE(bridge_members_physical_or_not) {
  const auto br = parse_interface_xml(slurp("interface-bridge.xml"), "i");
  BOOST_REQUIRE(br.has_value());
  BOOST_TEST(br->name == "br0");
  BOOST_TEST(br->subnets == std::vector<std::string>{"10.10.0.11/24"});
  BOOST_REQUIRE_EQUAL(br->members.size(), 5u);
  BOOST_TEST(br->members[0].name == "bond0");
  BOOST_TEST(br->members[0].physical.value() == true);
  BOOST_TEST(br->members[1].name == "eno3");
  BOOST_TEST(br->members[1].physical.value() == true);
  BOOST_TEST(br->members[2].name == "eno4.20");
  BOOST_TEST(br->members[2].physical.value() == false);
  BOOST_TEST(br->members[3].physical.value() == false);  // a nested bridge
  BOOST_TEST(!br->members[4].physical.known());          // type 'tap': libvirt does not say
  BOOST_TEST(br->members[4].physical.reason().find("'tap'") != std::string::npos);

  BOOST_TEST(!parse_interface_xml(slurp("interface-ethernet.xml"), "i").has_value());
  const auto empty = parse_interface_xml("<interface type='bridge' name='br-stor'><bridge/></interface>", "i");
  BOOST_REQUIRE(empty.has_value());
  BOOST_TEST(empty->members.empty());
}

BOOST_AUTO_TEST_CASE(pool_sources) {
  const PoolFacts nfs = parse_pool_xml(slurp("pool-netfs.xml"), "p");
  BOOST_TEST(nfs.name == "prod");
  BOOST_TEST(nfs.type == "netfs");
  BOOST_TEST(nfs.source.hosts == std::vector<std::string>{"nfs1.lab.example"});
  BOOST_TEST(nfs.source.dir == "/export/prod");
  BOOST_TEST(nfs.source.format == "nfs");
  BOOST_TEST(nfs.target_path == "/var/lib/libvirt/images/prod");
  BOOST_TEST(nfs.capacity_bytes.value() == 4398046511104ULL);
  BOOST_TEST(nfs.available_bytes.value() == 2997887172608ULL);
  BOOST_TEST(!nfs.active);

  const PoolFacts iscsi = parse_pool_xml(slurp("pool-iscsi.xml"), "p");
  BOOST_TEST(iscsi.source.hosts == std::vector<std::string>{"san1.lab.example:3260"});
  BOOST_TEST(iscsi.source.devices == std::vector<std::string>{"iqn.2020-01.example.lab:san1.erp"});
  BOOST_TEST(iscsi.available_bytes.value() == 0u);

  const PoolFacts rbd = parse_pool_xml(slurp("pool-rbd.xml"), "p");
  BOOST_TEST(rbd.source.name == "vms");
  BOOST_TEST(rbd.source.hosts ==
             (std::vector<std::string>{"mon1.lab.example:6789", "mon2.lab.example:6789", "mon3.lab.example"}));
  BOOST_TEST(rbd.target_path == "");

  const PoolFacts fc = parse_pool_xml(slurp("pool-fc.xml"), "p");
  BOOST_TEST(fc.source.adapter == "20000000c9831b4b:10000000c9831b4b");
  BOOST_TEST(!fc.capacity_bytes.known());
}

BOOST_AUTO_TEST_CASE(volumes) {
  const VolumeFacts v = parse_volume_xml(slurp("volume-qcow2.xml"), "v");
  BOOST_TEST(v.name == "web1.qcow2");
  BOOST_TEST(v.type == "file");
  BOOST_TEST(v.path == "/var/lib/libvirt/images/prod/web1.qcow2");
  BOOST_TEST(v.format == "qcow2");
  BOOST_TEST(v.capacity_bytes.value() == 20ULL << 30);
  BOOST_TEST(v.allocation_bytes.value() == 6ULL << 30);
  const VolumeFacts g = parse_volume_xml("<volume><name>g</name><capacity unit='G'>2</capacity></volume>", "v");
  BOOST_TEST(g.capacity_bytes.value() == 2ULL << 30);  // G = GiB in libvirt
  BOOST_TEST(!g.allocation_bytes.known());
  const VolumeFacts b = parse_volume_xml("<volume><name>b</name><capacity>512</capacity></volume>", "v");
  BOOST_TEST(b.capacity_bytes.value() == 512u);  // no unit = bytes for storage
}

BOOST_AUTO_TEST_CASE(parse_errors_name_origin_line_and_column) {
  BOOST_TEST(error_of([] { parse_network_xml("<network>\n  <name>x</nam>\n</network>", "net.xml"); })
                 .rfind("net.xml:2:", 0) == 0);
  BOOST_TEST(error_of([] { parse_pool_xml("<volume/>", "pool.xml"); }) ==
             "pool.xml: expected <pool> element, found <volume>; give libvirt pool XML");
  BOOST_TEST(error_of([] { parse_volume_xml("<volume><capacity unit='G'>x</capacity></volume>", "v.xml"); })
                 .rfind("v.xml: <capacity> is not a non-negative integer: 'x'", 0) == 0);
  HostFacts h;
  BOOST_TEST(error_of([&] { parse_capabilities_xml("<capabilities><host>", "caps.xml", h); }).rfind("caps.xml:1:", 0) == 0);
  BOOST_TEST(error_of([&] { parse_domcaps_xml("<capabilities/>", "dc.xml", h); })
                 .rfind("dc.xml: expected <domainCapabilities> element, found <capabilities>", 0) == 0);
}

BOOST_AUTO_TEST_CASE(line_and_column_of_an_offset) {
  BOOST_TEST((xml::line_col("ab\ncd\nef", 0) == std::pair{1, 1}));
  BOOST_TEST((xml::line_col("ab\ncd\nef", 4) == std::pair{2, 2}));
  BOOST_TEST((xml::line_col("ab\ncd\nef", 6) == std::pair{3, 1}));
  BOOST_TEST((xml::line_col("ab", 99) == std::pair{1, 3}));
}

// An attribute given twice is refused with its element, name and line, as libxml2
// (libvirt's parser) refuses it, whether the element has few attributes (compared in
// pairs) or many (sorted); distinct names pass.
BOOST_AUTO_TEST_CASE(an_attribute_given_twice_is_refused_with_its_line) {
  const auto parse = [](const std::string& text) {
    return error_of([&] { (void)parse_xml(text, "in.xml", "hint"); });
  };
  BOOST_TEST(parse("<domain>\n  <memory unit='KiB' unit='GiB'>4</memory>\n</domain>") ==
             "in.xml:2:4: <memory> has the attribute 'unit' twice: refused (libvirt refuses it too; which one "
             "counts is not defined); hint");
  std::string many = "<domain>\n<cpu";
  for (int i = 0; i < 40; ++i) many += " a" + std::to_string(i) + "='x'";
  BOOST_TEST(parse(many + "/></domain>") == "no error");
  BOOST_TEST(parse(many + " a40='y' a7='y' a3='z'/></domain>").starts_with(
      "in.xml:2:2: <cpu> has the attribute 'a7' twice: refused"));
  BOOST_TEST(parse("<a x='1'><b x='1'/><c y='1' x='2'/></a>") == "no error");  // the same name on other elements
}

// A libvirt node device of capability net is a physical NIC when its parent is a
// device; its link speed is a whole number of Mbit/s, or unknown (never 0).
BOOST_AUTO_TEST_CASE(net_node_devices_give_physical_nics_with_their_link_speed) {
  const auto device = [](const std::string& parent, const std::string& link) {
    return "<device><name>net_x</name><parent>" + parent +
           "</parent><capability type='net'><interface>eno1</interface>" + link + "</capability></device>";
  };
  const auto up = parse_net_device_xml(device("pci_0000_03_00_0", "<link speed='25000' state='up'/>"), "d");
  BOOST_REQUIRE(up.has_value());
  BOOST_TEST(up->name == "eno1");
  BOOST_TEST(up->up);
  BOOST_TEST(up->speed_mbps.value() == 25000u);
  const auto down = parse_net_device_xml(device("usb_1_2", "<link state='down'/>"), "d");
  BOOST_REQUIRE(down.has_value());
  BOOST_TEST(!down->up);
  BOOST_TEST(down->speed_mbps.reason() == "libvirt reports no link speed for eno1 (link down)");
  const auto zero = parse_net_device_xml(device("pci_0000_03_00_0", "<link speed='0' state='up'/>"), "d");
  BOOST_REQUIRE(zero.has_value());
  BOOST_TEST(!zero->speed_mbps.known());
  // What the lab's real libvirtd 9.0 says for a virtio NIC whose
  // /sys/class/net/NAME/speed is -1, and for the loopback device (recorded).
  const auto minus_one = parse_net_device_xml(slurp("nodedev-net-virtio.xml"), "d");
  BOOST_REQUIRE(minus_one.has_value());
  BOOST_TEST(minus_one->name == "eth0");
  BOOST_TEST(minus_one->up);
  BOOST_TEST(minus_one->speed_mbps.reason() ==
             "libvirt reports a link speed of 4294967295 for eth0: the kernel's -1, no link speed reported");
  BOOST_TEST(!parse_net_device_xml(slurp("nodedev-net-lo.xml"), "d"));
  const auto top = parse_net_device_xml(device("pci_0", "<link speed='4294967294' state='up'/>"), "d");
  BOOST_REQUIRE(top.has_value());
  BOOST_TEST(top->speed_mbps.value() == 4294967294u);
  BOOST_TEST(error_of([&] {
               (void)parse_net_device_xml(device("pci_0", "<link speed='4294967296' state='up'/>"), "d");
             }) == "d: link speed 4294967296 of eno1 is above what libvirt reads (an unsigned int of Mbit/s); check "
                   "the host's libvirt node devices");
  BOOST_TEST(!parse_net_device_xml(device("computer", "<link speed='10000' state='up'/>"), "d"));  // veth, tap, bridge
  BOOST_TEST(!parse_net_device_xml("<device><name>pci_0</name><parent>computer</parent><capability type='pci'/></device>",
                                   "d"));
  for (const char* bad : {"nan", "-1", "1e4", "18446744073709551616"})
    BOOST_TEST(error_of([&] {
                 (void)parse_net_device_xml(device("pci_0", std::string("<link speed='") + bad + "' state='up'/>"), "d");
               }).starts_with("d: link speed '" + std::string(bad) + "' of eno1 is not a whole number of Mbit/s"),
               bad);
}
