// parse_domain_xml on recorded domain XML (fixtures/xml) and inline snippets.
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <fstream>
#include <sstream>

#include "collect/domain_xml.hpp"
#include "core/error.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
VmFacts full() { return parse_domain_xml(slurp(fixture("xml/domain-full.xml")), "domain-full.xml"); }
std::string error_of(std::string_view xml, const std::string& origin) {
  return preflight::test::error_of([&] { parse_domain_xml(xml, origin); });
}
}  // namespace

BOOST_AUTO_TEST_CASE(identity_memory_and_vcpus) {
  const VmFacts vm = full();
  BOOST_TEST(vm.name == "db-prod-01");
  BOOST_TEST(vm.uuid == "6f1b7d0e-2c55-4d3a-9a1e-0e3f6c2b8a41");
  BOOST_TEST(vm.state == "");  // the XML does not say it
  BOOST_TEST(vm.memory_kib == 16ULL * 1024 * 1024);  // 16 GiB
  BOOST_TEST(vm.current_memory_kib == 12288ULL * 1024);  // 12288 MiB
  BOOST_TEST(vm.vcpus == 4u);
  BOOST_TEST(vm.cputune.vcpu_cpuset == "4-11");
  BOOST_TEST(vm.hugepages);
  BOOST_TEST(vm.hugepage_size_kib == 2048u);
}

BOOST_AUTO_TEST_CASE(os_firmware_and_tpm) {
  const VmFacts vm = full();
  BOOST_TEST(vm.arch == "x86_64");
  BOOST_TEST(vm.machine_type == "pc-q35-7.2");
  BOOST_TEST(vm.loader == "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  BOOST_TEST(vm.nvram == "/var/lib/libvirt/qemu/nvram/db-prod-01_VARS.fd");
  BOOST_TEST(vm.emulator == "/usr/bin/qemu-system-x86_64");
  BOOST_TEST(vm.tpm == "tpm-crb/emulator");
}

BOOST_AUTO_TEST_CASE(guest_cpu) {
  const VmFacts vm = full();
  BOOST_TEST(vm.has_cpu);
  BOOST_TEST(vm.cpu.mode == "custom");
  BOOST_TEST(vm.cpu.check == "full");
  BOOST_TEST(vm.cpu.model == "Cascadelake-Server-noTSX");
  BOOST_TEST(vm.cpu.fallback == "forbid");
  BOOST_REQUIRE_EQUAL(vm.cpu.features.size(), 3u);
  BOOST_TEST(vm.cpu.features[1].name == "mpx");
  BOOST_TEST(vm.cpu.features[1].policy == "disable");
}

BOOST_AUTO_TEST_CASE(disks_of_every_type) {
  const VmFacts vm = full();
  BOOST_REQUIRE_EQUAL(vm.disks.size(), 6u);
  const DiskFacts& file = vm.disks[0];
  BOOST_TEST(file.type == "file");
  BOOST_TEST(file.device == "disk");
  BOOST_TEST(file.target == "vda");
  BOOST_TEST(file.source == "/var/lib/libvirt/images/prod/db-prod-01.qcow2");
  BOOST_TEST(file.format == "qcow2");
  BOOST_TEST(file.cache == "none");
  BOOST_TEST(!file.shareable);
  BOOST_TEST(!file.capacity_bytes.known());

  const DiskFacts& lun = vm.disks[1];
  BOOST_TEST(lun.type == "block");
  BOOST_TEST(lun.device == "lun");
  BOOST_TEST(lun.source == "/dev/mapper/mpatha");
  BOOST_TEST(lun.shareable);
  BOOST_TEST(lun.cache == "directsync");

  const DiskFacts& rbd = vm.disks[2];
  BOOST_TEST(rbd.type == "network");
  BOOST_TEST(rbd.protocol == "rbd");
  BOOST_TEST(rbd.source == "rbd://ceph-mon1.example.com:6789/vms/db-prod-01-data");
  BOOST_TEST(rbd.hosts == (std::vector<std::string>{"ceph-mon1.example.com:6789", "ceph-mon2.example.com:6789"}));

  const DiskFacts& vol = vm.disks[3];
  BOOST_TEST(vol.type == "volume");
  BOOST_TEST(vol.pool == "iscsi-pool");
  BOOST_TEST(vol.volume == "unit:0:0:2");
  BOOST_TEST(vol.source == "iscsi-pool/unit:0:0:2");

  const DiskFacts& iso = vm.disks[4];
  BOOST_TEST(iso.device == "cdrom");
  BOOST_TEST(iso.readonly);
  BOOST_TEST(iso.source == "/var/lib/libvirt/iso/debian-12.5.0-amd64-netinst.iso");

  const DiskFacts& empty_cd = vm.disks[5];
  BOOST_TEST(empty_cd.device == "cdrom");
  BOOST_TEST(empty_cd.source == "");  // no media
}

BOOST_AUTO_TEST_CASE(interfaces) {
  const VmFacts vm = full();
  BOOST_REQUIRE_EQUAL(vm.interfaces.size(), 3u);
  BOOST_TEST(vm.interfaces[0].type == "network");
  BOOST_TEST(vm.interfaces[0].network == "prod");
  BOOST_TEST(vm.interfaces[0].portgroup == "db");
  BOOST_TEST(vm.interfaces[0].mac == "52:54:00:6b:3c:58");
  BOOST_TEST(vm.interfaces[0].model == "virtio");
  BOOST_TEST(vm.interfaces[1].type == "bridge");
  BOOST_TEST(vm.interfaces[1].bridge == "br-stor");
  BOOST_TEST(vm.interfaces[1].model == "e1000e");
  BOOST_TEST(vm.interfaces[2].type == "direct");
  BOOST_TEST(vm.interfaces[2].device == "eno2");
}

BOOST_AUTO_TEST_CASE(character_devices) {
  const VmFacts vm = full();
  BOOST_REQUIRE_EQUAL(vm.chardevs.size(), 5u);
  BOOST_TEST(vm.chardevs[0].kind == "serial");
  BOOST_TEST(vm.chardevs[0].type == "dev");
  BOOST_TEST(vm.chardevs[0].source == "/dev/ttyS0");
  BOOST_TEST(vm.chardevs[1].type == "tcp");
  BOOST_TEST(vm.chardevs[1].source == "0.0.0.0:4555");
  BOOST_TEST(vm.chardevs[2].kind == "parallel");
  BOOST_TEST(vm.chardevs[2].source == "/dev/parport0");
  BOOST_TEST(vm.chardevs[3].kind == "console");
  BOOST_TEST(vm.chardevs[3].type == "pty");
  BOOST_TEST(vm.chardevs[4].kind == "channel");
  BOOST_TEST(vm.chardevs[4].type == "unix");
}

BOOST_AUTO_TEST_CASE(hostdevs_and_pinning) {
  const VmFacts vm = full();
  BOOST_REQUIRE_EQUAL(vm.hostdevs.size(), 3u);
  BOOST_TEST(vm.hostdevs[0].type == "pci");
  BOOST_TEST(vm.hostdevs[0].mode == "subsystem");
  BOOST_TEST(vm.hostdevs[0].address == "0000:03:00.1");
  BOOST_TEST(vm.hostdevs[1].type == "usb");
  BOOST_TEST(vm.hostdevs[1].address == "usb 046d:c52b");
  BOOST_TEST(vm.hostdevs[2].type == "mdev");
  BOOST_TEST(vm.hostdevs[2].address == "c2177883-f1bb-47f0-914d-32a22e3a8804");
  BOOST_REQUIRE_EQUAL(vm.cputune.vcpupins.size(), 4u);
  BOOST_TEST(vm.cputune.vcpupins[2].vcpu == 2u);
  BOOST_TEST(vm.cputune.vcpupins[2].cpuset == "6-7,^7");
  BOOST_TEST(vm.cputune.emulatorpin == "10-11");
}

BOOST_AUTO_TEST_CASE(minimal_domain_has_empty_facts) {
  const VmFacts vm = parse_domain_xml("<domain type='kvm'><name>tiny</name><memory>1048576</memory></domain>", "inline");
  BOOST_TEST(vm.name == "tiny");
  BOOST_TEST(vm.memory_kib == 1048576u);         // no unit = KiB
  BOOST_TEST(vm.current_memory_kib == 1048576u);  // libvirt's default: = memory
  BOOST_TEST(vm.vcpus == 0u);
  BOOST_TEST(!vm.has_cpu);
  BOOST_TEST(!vm.hugepages);
  BOOST_TEST(vm.loader == "");
  BOOST_TEST(vm.tpm == "");
  BOOST_TEST(vm.disks.empty());
  BOOST_TEST(vm.interfaces.empty());
  BOOST_TEST(vm.hostdevs.empty());
}

BOOST_AUTO_TEST_CASE(memory_units_convert_to_kib) {
  const auto mem = [](const std::string& m) {
    return parse_domain_xml("<domain><name>m</name>" + m + "</domain>", "inline").memory_kib;
  };
  BOOST_TEST(mem("<memory unit='KiB'>2048</memory>") == 2048u);
  BOOST_TEST(mem("<memory unit='k'>2048</memory>") == 2048u);
  BOOST_TEST(mem("<memory unit='MiB'>512</memory>") == 512u * 1024);
  BOOST_TEST(mem("<memory unit='M'>512</memory>") == 512u * 1024);
  BOOST_TEST(mem("<memory unit='G'>3</memory>") == 3u * 1024 * 1024);
  BOOST_TEST(mem("<memory unit='TiB'>1</memory>") == 1024ULL * 1024 * 1024);
  BOOST_TEST(mem("<memory unit='MB'>1024</memory>") == 1000000u);  // 1024 * 10^6 bytes
  BOOST_TEST(mem("<memory unit='bytes'>4194304</memory>") == 4096u);
}

BOOST_AUTO_TEST_CASE(efi_autoselection_is_not_bios) {
  const VmFacts vm =
      parse_domain_xml("<domain><name>e</name><os firmware='efi'><type arch='x86_64'>hvm</type></os></domain>", "inline");
  BOOST_TEST(vm.loader == "efi");
}

BOOST_AUTO_TEST_CASE(malformed_xml_names_file_line_and_column) {
  const std::string msg = error_of(slurp(fixture("xml/domain-malformed.xml")), "domain-malformed.xml");
  BOOST_TEST(msg.rfind("domain-malformed.xml:7:", 0) == 0, msg);
  BOOST_TEST(msg.find("malformed XML: Start-end tags mismatch") != std::string::npos, msg);
  const std::string unclosed = error_of("<domain><name>x</name>\n  <memory>1</memory\n</domain>", "vm.xml");
  BOOST_TEST(unclosed.rfind("vm.xml:3:1: malformed XML: ", 0) == 0, unclosed);
  BOOST_TEST(error_of("", "empty.xml") ==
             "empty.xml:1:1: malformed XML: No document element found; fix the XML (or re-export it with virsh dumpxml)");
}

BOOST_AUTO_TEST_CASE(wrong_root_and_bad_numbers_are_errors) {
  BOOST_TEST(error_of("<network><name>n</name></network>", "n.xml") ==
             "n.xml: expected <domain> element, found <network>; give libvirt domain XML");
  BOOST_TEST(error_of("<domain><memory unit='GiB'>four</memory></domain>", "d.xml").rfind(
                 "d.xml: <memory> is not a non-negative integer: 'four'", 0) == 0);
  BOOST_TEST(error_of("<domain><memory unit='parsec'>4</memory></domain>", "d.xml").rfind(
                 "d.xml: <memory> has an unknown unit 'parsec'", 0) == 0);
  BOOST_TEST(error_of("<domain><vcpu>-2</vcpu></domain>", "d.xml").rfind("d.xml: <vcpu> is not a non-negative integer", 0) == 0);
  BOOST_TEST(error_of("<domain><memory unit='EiB'>99999</memory></domain>", "d.xml").find("out of range") != std::string::npos);
}
