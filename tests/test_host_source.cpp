#include <boost/test/unit_test.hpp>

#include "collect/collect_all.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "support/temp_dir.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;

BOOST_AUTO_TEST_CASE(detects_every_input_kind_by_content) {
  BOOST_TEST((detect_input_kind("<?xml version='1.0'?>\n<!-- c -->\n<capabilities>", "x") == InputKind::capabilities_xml));
  BOOST_TEST((detect_input_kind("<domainCapabilities>", "x") == InputKind::domcaps_xml));
  BOOST_TEST((detect_input_kind("  <domain type='kvm'>", "x") == InputKind::domain_xml));
  BOOST_TEST((detect_input_kind("<cpu>\n</cpu><cpu/>", "x") == InputKind::cpu_xml));
  BOOST_TEST((detect_input_kind("schema_version: 1\nhost: {}\n", "x") == InputKind::facts_yaml));
  BOOST_TEST((detect_input_kind("version=0.6.2\nbasic_cpuid[0]=0000000d 756e6547 6c65746e 49656e69\n", "x") ==
              InputKind::libcpuid_dump));
  BOOST_CHECK_THROW(detect_input_kind("hello", "x"), Error);
  BOOST_CHECK_THROW(detect_input_kind("<network/>", "x"), Error);
}

BOOST_AUTO_TEST_CASE(a_file_of_several_cpus_is_several_hosts_without_firmware_state) {
  const std::string f = fixture("inputs/two-cpus.xml");
  const std::vector<HostFacts> hosts = hosts_from_file(f);
  BOOST_REQUIRE_EQUAL(hosts.size(), 2u);
  BOOST_TEST(hosts[0].name == "two-cpus#1");
  BOOST_TEST(hosts[1].name == "two-cpus#2");
  BOOST_TEST(hosts[0].cpu.libvirt_cpu.value().model == "Skylake-Server-IBRS");
  BOOST_TEST(hosts[1].cpu.libvirt_cpu.value().signature->model == 63u);
  BOOST_TEST(!hosts[0].firmware.virtualization.known());
  BOOST_TEST(hosts[0].firmware.virtualization.reason() == f + " describes only a CPU");
  BOOST_TEST(!hosts[0].vms.known());
}

BOOST_AUTO_TEST_CASE(a_domain_gives_its_guest_cpu) {
  const std::vector<HostFacts> hosts = hosts_from_file(fixture("inputs/guest.xml"));
  BOOST_REQUIRE_EQUAL(hosts.size(), 1u);
  const CpuDefinition& cpu = hosts[0].cpu.libvirt_cpu.value();
  BOOST_TEST(cpu.model == "Broadwell");
  BOOST_REQUIRE_EQUAL(cpu.features.size(), 1u);
  BOOST_TEST(cpu.features[0].policy == "disable");
}

BOOST_AUTO_TEST_CASE(a_libcpuid_dump_gives_raw_leaves) {
  const std::vector<HostFacts> hosts = hosts_from_file(fixture("cpuid/xeon-skylake-sp-kvm-single.txt"));
  BOOST_REQUIRE_EQUAL(hosts.size(), 1u);
  BOOST_TEST(hosts[0].cpu.vendor.value() == "GenuineIntel");
  BOOST_TEST(hosts[0].cpu.cpuid.value().size() > 10u);
  BOOST_TEST(hosts[0].cpu.cpuid.value().front().leaf == 0u);
}

BOOST_AUTO_TEST_CASE(an_inventory_host_is_collected_live_and_its_cpu_file_replaces_the_cpu) {
  const Inventory inv = load_inventory(fixture("lab/preflight.yaml"));
  const HostFacts a = collect_inventory_host(*inv.find("hostA"));
  BOOST_TEST(a.name == "hostA");
  BOOST_TEST(a.pool_membership == "prod");
  BOOST_TEST(a.vms.value().size() >= 2u);
  BOOST_TEST(a.cpu.libvirt_cpu.value().vendor == "Intel");
  BOOST_TEST(a.cpu.host_model.value().model == a.cpu.libvirt_cpu.value().model);
}

BOOST_AUTO_TEST_CASE(an_unknown_name_suggests_inventory_hosts) {
  const Inventory inv = load_inventory(fixture("lab/preflight.yaml"));
  try {
    load_host_argument("hostZ", &inv);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).find("hostZ: no such host in " + inv.path) == 0, e.what());
    BOOST_TEST(std::string(e.what()).find("known hosts: hostA, hostB, hostC") != std::string::npos, e.what());
  }
}

// Machines cloned from one image share a hostname: a facts file's host is named by
// the file, so two such files stay two hosts.
BOOST_AUTO_TEST_CASE(a_facts_file_is_named_by_the_file_not_by_the_hostname_inside) {
  const preflight::test::TempDir dir("preflight-facts-names");
  const std::string golden = preflight::read_file(preflight::test::fixture("golden/facts_full.yaml"));
  for (const char* n : {"rack1-07", "rack2-11"}) preflight::write_file((dir.path / (std::string(n) + ".yaml")).string(), golden);
  const auto a = preflight::hosts_from_file((dir.path / "rack1-07.yaml").string());
  const auto b = preflight::hosts_from_file((dir.path / "rack2-11.yaml").string());
  BOOST_TEST_REQUIRE(a.size() == 1u);
  BOOST_TEST_REQUIRE(b.size() == 1u);
  BOOST_TEST(a[0].name == "rack1-07");
  BOOST_TEST(b[0].name == "rack2-11");
  BOOST_TEST(a[0].hostname.value() == b[0].hostname.value());  // the same machine name inside
}

// libvirt names a host's vendor (AMD); the facts file gets its CPUID string from
// cpu_map's x86_vendors.xml, not from a table of our own.
BOOST_AUTO_TEST_CASE(a_vendor_libvirt_names_gets_its_cpuid_string_from_cpu_map) {
  HostFacts h;
  h.cpu.vendor = Fact<std::string>::unknown("libvirt names the vendor");
  CpuDefinition cpu;
  cpu.vendor = "AMD";
  h.cpu.libvirt_cpu = cpu;
  name_cpu_features(h, "");
  BOOST_TEST(h.cpu.vendor.value() == "AuthenticAMD");

  HostFacts odd = h;
  odd.cpu.libvirt_cpu.value().vendor = "NoSuchVendor";
  odd.cpu.vendor = Fact<std::string>::unknown("libvirt names the vendor");
  name_cpu_features(odd, "");
  BOOST_TEST(!odd.cpu.vendor.known());
}
