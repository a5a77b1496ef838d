// CPU rules on facts built in C++, with the installed libvirt cpu_map.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

BOOST_AUTO_TEST_CASE(vendor_blocks_intel_to_amd) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("cpu.vendor").status) == "pass");
  s.destination.cpu.vendor = std::string("AuthenticAMD");
  const Finding f = s.finding("cpu.vendor");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("hostA has an Intel CPU, hostB an AMD CPU") == 0);
}

BOOST_AUTO_TEST_CASE(features_pass_when_the_destination_has_the_guest_model) {
  const Finding f = Scenario().finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
}

BOOST_AUTO_TEST_CASE(clock_cache_and_core_count_never_block) {
  Scenario s;
  s.destination.topology.cpus = uint32_t{8};
  s.destination.topology.mhz = uint32_t{1200};
  s.destination.topology.cores_per_socket = uint32_t{4};
  s.source.topology.mhz = uint32_t{3600};
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass");
}

BOOST_AUTO_TEST_CASE(features_block_and_name_the_mask) {
  Scenario s;
  s.destination.cpu.libvirt_cpu.value().model = "SandyBridge";
  s.destination.cpu.libvirt_cpu.value().signature = CpuSignature{6, 45, 7};
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("avx2") != std::string::npos, f.message);
  BOOST_TEST(f.remediation.find("SandyBridge") != std::string::npos, f.remediation);
  BOOST_TEST(f.remediation.find("-cpu ") != std::string::npos, f.remediation);
  BOOST_TEST(f.remediation.find("{") == std::string::npos, f.remediation);
}

BOOST_AUTO_TEST_CASE(features_error_without_a_cpu_fact) {
  Scenario s;
  s.destination.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown("no capabilities");
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "error");
}

BOOST_AUTO_TEST_CASE(passthrough_needs_identical_cpus) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("cpu.passthrough").status) == "skip");
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-passthrough";
  BOOST_TEST(to_string(s.finding("cpu.passthrough").status) == "pass", s.finding("cpu.passthrough").message);
  s.destination.cpu.libvirt_cpu.value().signature = CpuSignature{6, 63, 1};
  const Finding f = s.finding("cpu.passthrough");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("6/63/2 on hostA, 6/63/1 on hostB") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(firmware_skips_without_firmware_state_and_names_bios_differences) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("cpu.firmware").status) == "pass");
  s.destination.firmware.aes = false;
  s.source.firmware.aes = true;
  const Finding f = s.finding("cpu.firmware");
  BOOST_TEST(to_string(f.status) == "block", f.message);  // Haswell guests use AES-NI
  BOOST_TEST(f.message.find("identical CPUs, different BIOS settings") == 0, f.message);
  BOOST_TEST(f.remediation.find("Enable aes in the firmware") == 0, f.remediation);
}

BOOST_AUTO_TEST_CASE(a_guest_of_a_nested_source_may_move_to_bare_metal) {
  // The source is itself a VM: its CPU (and so a host-model guest's) has the
  // hypervisor bit, which QEMU sets for every guest on the destination too.
  Scenario s;
  s.source.cpu.libvirt_cpu.value().features.push_back({"hypervisor", ""});
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-model";
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
}
