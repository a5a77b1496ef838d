// CPU rules on facts built in C++, with the installed libvirt cpu_map.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;

namespace {

// The host-model CPU `h` offers its first domain type (kvm in the scenario).
CpuDefinition& offered(HostFacts& h) { return h.offers.value().front().host_model.value(); }

CpuDefinition cpu_of(const std::string& model, std::vector<std::string> required, const std::string& vendor = "") {
  CpuDefinition c;
  c.mode = "custom";
  c.match = "exact";
  c.check = "full";
  c.model = model;
  c.vendor = vendor;
  for (auto& f : required) c.features.push_back({f, "require"});
  return c;
}

// Both hosts: a bare CPU without what TCG emulates, and a qemu offer (TCG) of EPYC
// with those features -- what the lab's libvirt 9.0 + QEMU 7.2 report.
void tcg_hosts(Scenario& s) {
  for (HostFacts* h : {&s.source, &s.destination}) {
    GuestOffer tcg;
    tcg.virt_type = "qemu";
    CpuDefinition epyc;
    epyc.model = "EPYC";
    epyc.vendor = "AMD";
    for (const char* f : {"acpi", "ss", "monitor", "pku", "la57", "umip", "npt", "x2apic", "hypervisor"})
      epyc.features.push_back({f, "require"});
    tcg.host_model = epyc;
    h->offers.value().push_back(tcg);
  }
  s.vm.virt_type = "qemu";
}

}  // namespace

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
  offered(s.destination).model = "SandyBridge";
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("vm1 sees CPU features that hostB does not offer kvm guests: ") == 0, f.message);
  BOOST_TEST(f.message.find("avx2") != std::string::npos, f.message);
  BOOST_TEST(f.remediation.find("SandyBridge") != std::string::npos, f.remediation);
  BOOST_TEST(f.remediation.find("-cpu ") != std::string::npos, f.remediation);
  BOOST_TEST(f.remediation.find("{") == std::string::npos, f.remediation);
}

BOOST_AUTO_TEST_CASE(features_error_when_the_offer_is_unknown_and_the_host_cpu_is_not_exact) {
  // The capabilities' host CPU is not what the hypervisor offers: no go on it.
  Scenario s;
  s.destination.offers = Fact<std::vector<GuestOffer>>::unknown("read-write connection refused");
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "error");
  BOOST_TEST(f.message.find("hostB: fact CPU offered to kvm guests is unknown (what 'hostB' offers kvm guests is "
                            "unknown: read-write connection refused)") == 0,
             f.message);
}

BOOST_AUTO_TEST_CASE(features_decide_without_the_offer_when_the_guest_needs_nothing_of_it) {
  Scenario s;
  s.destination.offers = Fact<std::vector<GuestOffer>>::unknown("read-write connection refused");
  s.vm.has_cpu = false;
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
  s.vm.has_cpu = true;
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-model";
  s.vm.state = "shutoff";
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
}

BOOST_AUTO_TEST_CASE(an_operator_stated_cpu_is_judged_exactly_and_said_so) {
  Scenario s;
  s.destination.offers = Fact<std::vector<GuestOffer>>::unknown("read-write connection refused");
  s.destination.cpu.stated_by = "the inventory's cpu: hostB-cpu.xml";
  Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
  BOOST_TEST(f.evidence["judged_against"] == "stated CPU");
  BOOST_TEST(f.evidence["notes"].dump().find("assumed: the CPU stated by the inventory's cpu: hostB-cpu.xml is what "
                                             "'hostB' offers kvm guests") != std::string::npos,
             f.evidence.dump());
  // The stated CPU wins over the offer too: the operator knows what libvirt does not.
  s.destination.offers = std::vector<GuestOffer>{s.source.offers.value().front()};
  s.destination.cpu.libvirt_cpu.value().model = "SandyBridge";
  f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message.find("avx2") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(without_the_offer_raw_cpuid_decides_only_a_no_go_for_kvm_guests) {
  Scenario s;
  s.destination.offers = Fact<std::vector<GuestOffer>>::unknown("no read-write access");
  // An old CPU's raw CPUID: leaf 1 without SSE4.2/AVX, leaf 7 empty.
  s.destination.cpu.cpuid = std::vector<CpuidLeaf>{{0x0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69},
                                                   {0x1, 0, 0x106a5, 0x00100800, 0x00000201, 0x178bfbff}};
  Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message.find("avx2 (") != std::string::npos, f.message);
  // A guest whose features the CPU all has: KVM may still not offer them.
  s.vm.cpu = cpu_of("", {"sse2", "sse3"});
  f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "error", f.message);
  BOOST_TEST(f.message.find("whether KVM offers them all is known only from domain capabilities") != std::string::npos,
             f.message);
}

BOOST_AUTO_TEST_CASE(a_tcg_host_model_guest_is_judged_by_the_qemu_offer_not_the_bare_cpu) {
  // The live definition of a running TCG host-model guest, as libvirt 9.0 writes it.
  Scenario s;
  tcg_hosts(s);
  s.vm.cpu = cpu_of("EPYC", {"acpi", "ss", "monitor", "pku", "la57", "umip", "x2apic", "hypervisor"}, "AMD");
  Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
  BOOST_TEST(f.message.find("needs are offered to qemu guests by hostB") != std::string::npos, f.message);
  BOOST_TEST(to_string(s.finding("cpu.vendor").status) == "skip");  // TCG: the hosts' vendors do not matter
  BOOST_TEST(to_string(s.finding("cpu.firmware").status) == "skip");
  // Custom EPYC with npt, as the lab's EPYC guest: offered by TCG, absent on the bare CPU.
  s.vm.cpu = cpu_of("EPYC", {"npt"});
  f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
  // What TCG does not offer blocks, with that cause.
  s.vm.cpu = cpu_of("EPYC", {"avx512f"});
  f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message == "vm1 sees CPU features that hostB does not offer qemu guests: avx512f (not offered by the "
                          "hypervisor)");
}

BOOST_AUTO_TEST_CASE(libvirt_compares_only_what_it_compares) {
  Scenario s;
  // forbid: libvirt's comparison (check='partial', a guest that starts) refuses an
  // offer with the feature; a running guest (check='full') gets it switched off.
  s.vm.cpu.features.push_back({"avx2", "forbid"});
  s.vm.cpu.check = "full";
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
  s.vm.state = "shutoff";
  s.vm.cpu.check = "partial";
  Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message == "vm1 forbids CPU features that hostB offers kvm guests, so libvirt refuses it: avx2");
  // A stated vendor the offer lacks.
  s.vm.cpu = cpu_of("qemu64", {}, "AMD");
  s.vm.cpu.check = "partial";
  f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message == "vm1 requires a CPU vendor hostB does not offer kvm guests (AMD vs Intel)");
}

BOOST_AUTO_TEST_CASE(host_passthrough_needs_the_mode_offered) {
  Scenario s;
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-passthrough";
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
  s.destination.offers.value().front().host_passthrough = false;
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message == "hostB offers kvm guests no host-passthrough CPU, which vm1 uses");
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
  offered(s.source).features.push_back({"hypervisor", "require"});
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-model";
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "pass", f.message);
}

BOOST_AUTO_TEST_CASE(passthrough_decides_on_a_difference_without_the_signature) {
  Scenario s;
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-passthrough";
  s.destination.cpu.libvirt_cpu.value().signature.reset();
  // Identical-looking CPUs: only the signature could tell them apart.
  Finding f = s.finding("cpu.passthrough");
  BOOST_TEST(to_string(f.status) == "error", f.message);
  BOOST_TEST(f.message == "hostB: fact cpu family/model/stepping is unknown (not in the facts)");
  // A feature difference decides without it.
  s.destination.cpu.libvirt_cpu.value().model = "SandyBridge";
  f = s.finding("cpu.passthrough");
  BOOST_TEST(to_string(f.status) == "block", f.message);
  BOOST_TEST(f.message.find("hostB lacks ") != std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(vendor_comes_from_the_kvm_offer_when_the_host_cpu_is_unknown) {
  Scenario s;
  s.destination.cpu.vendor = Fact<std::string>::unknown("not reported by libvirt");
  s.destination.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown("no capabilities");
  BOOST_TEST(to_string(s.finding("cpu.vendor").status) == "pass", s.finding("cpu.vendor").message);
  offered(s.destination).vendor = "AMD";
  BOOST_TEST(to_string(s.finding("cpu.vendor").status) == "block", s.finding("cpu.vendor").message);
  s.destination.offers = Fact<std::vector<GuestOffer>>::unknown("read-write connection refused");
  BOOST_TEST(to_string(s.finding("cpu.vendor").status) == "error", s.finding("cpu.vendor").message);
}
