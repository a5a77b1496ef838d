// Unknown is not absent: features whose CPUID leaf or MSR an input does not carry
// are unknown (compare lists them apart, matrix shows ?, cpu.features cannot decide
// only when the answer depends on them); a feature a hypervisor hides is not a
// firmware setting; an erratum drop says so.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <ostream>
#include <string>

#include "collect/host_source.hpp"
#include "collect/libvirt_cpudata.hpp"
#include "core/text.hpp"
#include "cpu/cpu_compare.hpp"
#include "cpu/cpu_decode.hpp"
#include "cpu/cpu_errata.hpp"
#include "cpu/cpu_matrix.hpp"
#include "report/matrix_report.hpp"
#include "support/rules_scenario.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::fixture;
using preflight::test::Scenario;

namespace preflight {
std::ostream& operator<<(std::ostream& o, MissingCause c) { return o << cause_text(c); }
}  // namespace preflight

namespace {

const CpuCatalog& cat() { return test::cpu_catalog(); }

size_t id(const char* name) { return cat().feature_id(name); }

// A Core i7-8700 as libvirt recorded it: every leaf, and the arch-capabilities MSR.
HostFacts i7_8550u(const std::string& name) {
  HostFacts h = hosts_from_file(fixture("cputestdata/x86_64-cpuid-Core-i7-8550U.xml")).front();
  h.name = name;
  return h;
}

// The same CPU through an input without leaf 0xD sub-leaf 1 and without MSRs (what
// a libcpuid dump can carry).
HostFacts i7_8550u_partial(const std::string& name) {
  HostFacts h = i7_8550u(name);
  std::erase_if(h.cpu.cpuid.value(), [](const CpuidLeaf& l) { return l.leaf == 0xd && l.subleaf == 1; });
  h.cpu.msrs = Fact<std::vector<MsrValue>>::unknown("a libcpuid dump does not record MSRs");
  return h;
}

const MissingFeature* find(const std::vector<MissingFeature>& l, const std::string& name) {
  for (const auto& m : l)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_libcpuid_dump_leaves_sub_leaves_and_msrs_unknown) {
  const HostFacts h = hosts_from_file(fixture("cpuid/xeon-skylake-sp-kvm-single.txt")).front();
  const HostCpu cpu = resolve_host_cpu(h, cat());
  // 0xD is declared (leaf 0 EAX 0x16) but the dump holds only its sub-leaf 0.
  BOOST_TEST(cpu.unknown.test(id("xsaveopt")));
  BOOST_TEST(cpu.unknown.test(id("xsaves")));
  BOOST_TEST(!cpu.silicon.test(id("xsaveopt")));
  // No MSR at all: every MSR feature unknown.
  BOOST_TEST(cpu.unknown.test(id("rdctl-no")));
  BOOST_TEST(cpu.msrs_reason.find("does not record it") != std::string::npos, cpu.msrs_reason);
  // Leaf 7 declares no sub-leaf 1 (7.0 EAX = 0): its features are absent, not unknown.
  BOOST_TEST(!cpu.unknown.test(id("avx512-bf16")));
  // What the dump carries is known.
  BOOST_TEST(cpu.silicon.test(id("avx512f")));
  BOOST_TEST(!cpu.unknown.test(id("avx512f")));
  BOOST_TEST((cpu.unknown & cpu.silicon).empty());
}

BOOST_AUTO_TEST_CASE(compare_lists_unknown_features_apart_and_cannot_decide) {
  const CpuComparison c = compare_hosts(i7_8550u("full"), i7_8550u_partial("partial"), cat());
  BOOST_TEST(c.missing_on_b.empty(), c.missing_on_b.size() << " missing, first " << c.missing_on_b.front().name);
  const MissingFeature* x = find(c.unknown_on_b, "xsaveopt");
  BOOST_TEST_REQUIRE(x != nullptr);
  BOOST_TEST(x->cause == MissingCause::unknown);
  BOOST_TEST(x->detail == "lives in CPUID leaf 0xd sub-leaf 1, which the CPU of 'partial' declares but its facts do "
                          "not carry (a libcpuid dump records only sub-leaf 0 of most leaves): collect 'partial' with "
                          "preflight collect");
  const MissingFeature* m = find(c.unknown_on_b, "pschange-mc-no");
  BOOST_TEST_REQUIRE(m != nullptr);
  BOOST_TEST(m->detail == "lives in MSR 0x10a, which the facts of 'partial' do not carry (a libcpuid dump does not "
                          "record MSRs)");
  BOOST_TEST(c.undecided());
  const std::string text = comparison_text(c);
  BOOST_TEST(text.find("full has, partial cannot tell (unknown, not absent): ") != std::string::npos, text);
  BOOST_TEST(text.find("identical CPUs") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(matrix_shows_a_pair_it_cannot_tell_as_a_question_mark) {
  const std::vector<HostFacts> facts = {i7_8550u("full"), i7_8550u_partial("partial")};
  const CpuMatrix m = compute_cpu_matrix(facts, cat());
  BOOST_TEST(matrix_cell(m.pair(0, 1)) == "?");
  BOOST_TEST(m.pair(0, 1).undecided());
  // The other way, the partial host may have features the full one is known to lack
  // (xfd of leaf 0xD sub-leaf 1, MSR features): those it cannot tell, on its side.
  BOOST_TEST(matrix_cell(m.pair(1, 0)) == "?");
  const std::vector<MissingFeature> named = explain_pair(m, m.pair(1, 0), cat());
  BOOST_TEST(named.size() == m.pair(1, 0).missing + m.pair(1, 0).unknown);
  const MissingFeature* rdctl = find(named, "rdctl-no");
  BOOST_TEST_REQUIRE(rdctl != nullptr);
  BOOST_TEST(rdctl->detail.find("lives in MSR 0x10a, which the facts of 'partial'") == 0, rdctl->detail);
}

// A destination whose CPU the operator states (the inventory's cpu:): cpu.features
// takes it as exactly what the destination offers, so what its input cannot tell
// is what decides. (Raw CPUID alone is only an upper bound of a KVM offer.)
HostFacts stated(HostFacts h) {
  h.cpu.stated_by = "the test's stated CPU";
  return h;
}

BOOST_AUTO_TEST_CASE(cpu_features_decides_unless_the_answer_depends_on_an_unknown_feature) {
  Scenario s;
  s.source = i7_8550u("hostA");
  s.destination = stated(i7_8550u("hostB"));
  s.vm.cpu.model = "Skylake-Client-noTSX-IBRS";  // has xsaveopt, no MSR feature
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);

  // The destination's input cannot tell xsaveopt (and friends): undecided, naming why.
  s.destination = stated(i7_8550u_partial("hostB"));
  const Finding unknown = s.finding("cpu.features");
  BOOST_TEST(to_string(unknown.status) == "error", unknown.message);
  BOOST_TEST(unknown.message.find("hostB: fact cpu features ") != std::string::npos, unknown.message);
  BOOST_TEST(unknown.message.find("xsaveopt: lives in CPUID leaf 0xd sub-leaf 1") != std::string::npos,
             unknown.message);

  // A feature known to be missing decides whatever the unknown ones are.
  for (CpuidLeaf& l : s.destination.cpu.cpuid.value())
    if (l.leaf == 7 && l.subleaf == 0) l.ebx &= ~(1U << 5);  // avx2
  const Finding block = s.finding("cpu.features");
  BOOST_TEST(to_string(block.status) == "block", block.message);
  BOOST_TEST(block.message.find("avx2") != std::string::npos, block.message);

  // A guest that needs none of the unknown features is decided too.
  s.destination = stated(i7_8550u_partial("hostB"));
  s.vm.cpu.model = "Westmere";
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
}

BOOST_AUTO_TEST_CASE(a_whole_host_guest_of_a_source_that_cannot_tell_is_undecided_where_the_destination_lacks) {
  Scenario s;
  s.source = i7_8550u("hostA");  // without leaf 0xD sub-leaf 1: xsaveopt, xsavec, xgetbv1, xfd unknown
  std::erase_if(s.source.cpu.cpuid.value(), [](const CpuidLeaf& l) { return l.leaf == 0xd && l.subleaf == 1; });
  s.destination = stated(i7_8550u("hostB"));  // has xsaveopt, xsavec, xgetbv1, lacks xfd
  // A custom model gives the guest only what the source is known to have: decided.
  BOOST_TEST(to_string(s.finding("cpu.features").status) == "pass", s.finding("cpu.features").message);
  // A passthrough guest may see xfd, which the destination lacks: undecided, on the
  // source (with the SGX sub-leaf features neither dump carries). Not xsaveopt: the
  // destination has it, so it cannot change the answer.
  s.vm.cpu = CpuDefinition{};
  s.vm.cpu.mode = "host-passthrough";
  GuestOffer passthrough;  // hostB's KVM offers host-passthrough
  passthrough.virt_type = "kvm";
  passthrough.host_passthrough = true;
  passthrough.host_model = Fact<CpuDefinition>::unknown("not read in this test");
  s.destination.offers = std::vector<GuestOffer>{passthrough};
  const Finding f = s.finding("cpu.features");
  BOOST_TEST(to_string(f.status) == "error", f.message);
  BOOST_TEST(f.message.find("hostA: fact cpu features xfd ") == 0, f.message);
  BOOST_TEST(f.message.find("xfd: lives in CPUID leaf 0xd sub-leaf 1") != std::string::npos, f.message);
  BOOST_TEST(f.message.find("xsaveopt") == std::string::npos, f.message);
}

BOOST_AUTO_TEST_CASE(a_feature_a_hypervisor_hides_is_not_a_bios_setting) {
  // An AMD host that is itself a VM: svm hidden by its hypervisor. The local
  // collector then says virtualization is not usable (firmware.virtualization false).
  const HostFacts src = hosts_from_file(fixture("cputestdata/x86_64-cpuid-EPYC-7502-32-Core.xml")).front();
  BOOST_TEST_REQUIRE(resolve_host_cpu(src, cat()).silicon.test(id("svm")));
  HostFacts vm = src;
  vm.name = "nested";
  for (CpuidLeaf& l : vm.cpu.cpuid.value()) {
    if (l.leaf == 1) l.ecx |= 1U << 31;               // hypervisor
    if (l.leaf == 0x80000001) l.ecx &= ~(1U << 2);    // svm
  }
  vm.firmware.virtualization = false;
  const MissingFeature* svm = find(compare_hosts(src, vm, cat()).missing_on_b, "svm");
  BOOST_TEST_REQUIRE(svm != nullptr);
  BOOST_TEST(svm->cause == MissingCause::hidden_by_hypervisor);
  BOOST_TEST(svm->detail.find("BIOS") == std::string::npos, svm->detail);

  // Bare metal whose CPUID reports svm and whose firmware locked it: the BIOS it is.
  HostFacts locked = src;
  locked.name = "locked";
  locked.firmware.virtualization = false;
  const MissingFeature* off = find(compare_hosts(src, locked, cat()).missing_on_b, "svm");
  BOOST_TEST_REQUIRE(off != nullptr);
  BOOST_TEST(off->cause == MissingCause::disabled_by_firmware);
  BOOST_TEST(off->detail.find("enable it in the BIOS/UEFI setup") != std::string::npos, off->detail);
}

BOOST_AUTO_TEST_CASE(tsx_errata_follow_libvirts_signatures_and_are_named) {
  const int intel = cat().find_vendor("Intel");
  auto hit = [&](uint32_t model, uint32_t stepping) {
    return !errata_of(intel, CpuSignature{6, model, stepping}, cat()).empty();
  };
  BOOST_TEST(hit(60, 3));
  BOOST_TEST(hit(69, 1));
  BOOST_TEST(hit(70, 1));
  BOOST_TEST(hit(63, 2));
  BOOST_TEST(!hit(63, 4));  // Haswell-E/EP from stepping 4 on: TSX fixed
  BOOST_TEST(!hit(94, 3));
  BOOST_TEST(errata_of(cat().find_vendor("AMD"), CpuSignature{6, 60, 3}, cat()).empty());

  // The i5-4670T reports hle and rtm in CPUID; preflight drops them as libvirt does.
  const HostFacts haswell = hosts_from_file(fixture("cputestdata/x86_64-cpuid-Core-i5-4670T.xml")).front();
  const HostCpu cpu = resolve_host_cpu(haswell, cat());
  BOOST_TEST(cpu.errata_off.test(id("rtm")));
  BOOST_TEST(!cpu.features.test(id("rtm")));
  const std::vector<MissingFeature> why = explain_missing(cat().set_of({"hle"}), cpu, haswell, nullptr, cat());
  BOOST_TEST_REQUIRE(why.size() == 1u);
  BOOST_TEST(why[0].cause == MissingCause::removed_by_microcode_or_kernel);
  BOOST_TEST(why[0].detail == "TSX is broken on Intel Haswell (family 6 models 60, 69, 70; model 63 before stepping 4): "
                              "libvirt drops hle and rtm ('x86_64-cpuid-Core-i5-4670T' is such a CPU)");
}

BOOST_AUTO_TEST_CASE(compare_of_two_dumps_exits_2_when_only_unknowns_differ) {
  // On the command line: libvirt CPU data is an input like any other.
  const std::string full = fixture("cputestdata/x86_64-cpuid-Core-i7-8550U.xml");
  const auto same = test::run_preflight({"compare", full, full});
  BOOST_TEST(same.exit_code == 0, same.err + same.out);
  BOOST_TEST(same.out.find("cannot tell") == std::string::npos, same.out);
  // The same CPU recorded without leaf 0xD sub-leaf 1 (libvirt data always says which MSRs it has).
  test::TempDir dir("preflight-cpu-unknown");
  std::string partial;
  for (const std::string& line : split(read_file(full), '\n'))
    if (line.find("eax_in='0x0000000d' ecx_in='0x01'") == std::string::npos)
      partial += line + "\n";
  const std::string path = (dir.path / "partial.xml").string();
  std::ofstream(path) << partial;
  const auto r = test::run_preflight({"compare", full, path});
  BOOST_TEST(r.exit_code == 2, r.err + r.out);
  BOOST_TEST(r.out.find("cannot tell (unknown, not absent)") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("has, partial lacks: nothing") != std::string::npos, r.out);
}
