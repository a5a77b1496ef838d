// libcpuid raw dumps (cpuid_tool --save): detection, parsing to leaves, identification.
#include <boost/test/unit_test.hpp>
#include <ostream>

#include "collect/cpuid_enumerate.hpp"
#include "collect/libcpuid_dump.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

#include "support/print_facts.hpp"

using namespace preflight;

namespace {

const std::string kDir = std::string(PREFLIGHT_FIXTURES) + "/cpuid/";
// Recorded by libcpuid 0.6.2 on a 2-vCPU KVM guest (Xeon, family 6 model 85 stepping 7).
const std::string kKvm2 = kDir + "xeon-skylake-sp-kvm-2cpu.txt";
const std::string kKvmSingle = kDir + "xeon-skylake-sp-kvm-single.txt";
const std::string kGold = kDir + "xeon-gold-6248-vmx-fw-off-4cpu.txt";

std::vector<uint32_t> subleaves(const std::vector<CpuidLeaf>& leaves, uint32_t leaf) {
  std::vector<uint32_t> s;
  for (const auto& l : leaves)
    if (l.leaf == leaf) s.push_back(l.subleaf);
  return s;
}

std::string message_of(const std::string& text) {
  try {
    parse_libcpuid_dump(text, "x.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(detects_dumps_by_content) {
  BOOST_TEST(looks_like_libcpuid_dump(read_file(kKvm2)));
  BOOST_TEST(looks_like_libcpuid_dump(read_file(kKvmSingle)));
  BOOST_TEST(looks_like_libcpuid_dump("\nbasic_cpuid[0]=0000000d 756e6547 6c65746e 49656e69\n"));
  BOOST_TEST(!looks_like_libcpuid_dump("<cpu mode='custom'><model>Haswell</model></cpu>"));
  BOOST_TEST(!looks_like_libcpuid_dump("schema_version: 1\nname: a\n"));
  BOOST_TEST(!looks_like_libcpuid_dump(""));
}

BOOST_AUTO_TEST_CASE(recorded_dump_gives_the_valid_leaves_of_each_cpu) {
  const auto cpus = parse_libcpuid_dump_cpus(read_file(kKvm2), kKvm2);
  BOOST_TEST_REQUIRE(cpus.size() == 2u);
  const auto& l = cpus[0];
  BOOST_TEST(l.front() == (CpuidLeaf{0, 0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69}));
  BOOST_TEST(*find_cpuid_leaf(l, 1) == (CpuidLeaf{1, 0, 0x00050657, 0x00020800, 0xfffa3203, 0x1f8bfbff}));
  BOOST_TEST(find_cpuid_leaf(l, 0x16) != nullptr);
  BOOST_TEST(find_cpuid_leaf(l, 0x17) == nullptr);
  BOOST_TEST(find_cpuid_leaf(l, 0x80000008) != nullptr);
  BOOST_TEST(find_cpuid_leaf(l, 0x80000009) == nullptr);
  BOOST_TEST(subleaves(l, 4) == (std::vector<uint32_t>{0, 1, 2, 3}));
  BOOST_TEST(*find_cpuid_leaf(l, 4, 3) == (CpuidLeaf{4, 3, 0x04004163, 0x0280003f, 0x0000cfff, 0x00000005}));
  BOOST_TEST(subleaves(l, 0xB) == (std::vector<uint32_t>{0, 1}));
  BOOST_TEST(subleaves(l, 0x12) == (std::vector<uint32_t>{0, 1}));
  BOOST_TEST(subleaves(l, 7) == (std::vector<uint32_t>{0}));
  // 0x0..0x16 (23) + 4.1-3 + 0xB.1 + 0x12.1 + 0x80000000..8 (9)
  BOOST_TEST(l.size() == 37u);
  BOOST_TEST(find_cpuid_leaf(cpus[1], 1)->ebx == 0x01020800u);  // APIC id 1
  BOOST_TEST(parse_libcpuid_dump(read_file(kKvm2), kKvm2) == cpus[0]);
}

BOOST_AUTO_TEST_CASE(single_cpu_dump_without_headers) {
  const auto cpus = parse_libcpuid_dump_cpus(read_file(kKvmSingle), kKvmSingle);
  BOOST_TEST_REQUIRE(cpus.size() == 1u);
  BOOST_TEST(find_cpuid_leaf(cpus[0], 1)->ebx == 0x01020800u);
  BOOST_TEST(cpus[0].size() == 37u);
}

BOOST_AUTO_TEST_CASE(cpu_facts_identify_the_cpu_with_libcpuid) {
  const CpuFacts cpu = cpu_facts_from_libcpuid_dump(read_file(kKvm2), kKvm2);
  BOOST_TEST(cpu.vendor.value() == "GenuineIntel");
  BOOST_TEST(cpu.family.value() == 6u);
  BOOST_TEST(cpu.model.value() == 85u);
  BOOST_TEST(cpu.stepping.value() == 7u);
  BOOST_TEST(cpu.brand.value() == "Intel(R) Xeon(R) Processor @ 2.50GHz");
  BOOST_TEST(cpu.codename.known());
  BOOST_TEST(cpu.cpuid_cpus_read.value() == 2u);
  BOOST_TEST(cpu.cpuid_variants.empty());  // the CPUs differ only in APIC ids
  BOOST_TEST(cpu.cpuid.value().size() == 37u);
  BOOST_TEST(!cpu.microcode.known());
  BOOST_TEST(cpu.microcode.reason() == kKvm2 + " is a libcpuid raw CPUID dump, which does not record it");

  const CpuFacts gold = cpu_facts_from_libcpuid_dump(read_file(kGold), kGold);
  BOOST_TEST(gold.brand.value() == "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  BOOST_TEST(gold.cpuid_cpus_read.value() == 4u);
  BOOST_TEST(gold.cpuid_variants.empty());
}

BOOST_AUTO_TEST_CASE(a_cpu_that_differs_becomes_a_variant) {
  std::string text = read_file(kKvm2);
  const std::string from = "basic_cpuid[6]=00000004 00000000 00000000 00000000";
  const auto second = text.find(from, text.find("Logical CPU #1"));
  BOOST_TEST_REQUIRE(second != std::string::npos);
  text.replace(second, from.size(), "basic_cpuid[6]=00000077 00000000 00000000 00000000");
  const CpuFacts cpu = cpu_facts_from_libcpuid_dump(text, "x.txt");
  BOOST_TEST_REQUIRE(cpu.cpuid_variants.size() == 1u);
  BOOST_TEST(cpu.cpuid_variants[0].cpus == "1");
  BOOST_TEST_REQUIRE(cpu.cpuid_variants[0].leaves.size() == 1u);
  BOOST_TEST(cpu.cpuid_variants[0].leaves[0] == (CpuidLeaf{6, 0, 0x77, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(malformed_dumps_name_the_line) {
  const std::string l0 = "basic_cpuid[0]=00000001 756e6547 6c65746e 49656e69\n";
  BOOST_TEST(message_of("version=0.6.2\n" + l0 + "basic_cpuid[1]=zz 0 0 0\n") ==
             "x.txt:3: expected 'name[index]=EAX EBX ECX EDX' (four hex words), got 'basic_cpuid[1]=zz 0 0 0'; "
             "is this a libcpuid raw dump (cpuid_tool --save)?");
  BOOST_TEST(message_of(l0 + "basic_cpuid[40]=0 0 0 0\n") == "x.txt:2: index 40 out of range for basic_cpuid (0..31)");
  BOOST_TEST(message_of(l0 + l0) == "x.txt:2: basic_cpuid[0] given twice for logical CPU #0");
  BOOST_TEST(message_of("version=0.6.2\nhello\n") ==
             "x.txt:2: expected 'name[index]=EAX EBX ECX EDX', got 'hello'; "
             "is this a libcpuid raw dump (cpuid_tool --save)?");
  BOOST_TEST(message_of("version=0.6.2\n") == "x.txt: no CPUID data (no basic_cpuid[] lines); is this a libcpuid raw dump?");
  BOOST_TEST(message_of("ext_cpuid[0]=80000000 0 0 0\n") ==
             "x.txt: logical CPU #0 has no basic_cpuid[0]; the dump is incomplete; save it again");
  BOOST_TEST(message_of(l0 + "_____ Logical CPU #1 _____\n" + l0) ==
             "x.txt:2: CPUID lines before the first 'Logical CPU' header; the dump is damaged; save it again");
  // An array from a newer libcpuid is skipped.
  BOOST_TEST(parse_libcpuid_dump(l0 + "intel_fn99[0]=1 2 3 4\n", "x.txt").size() == 1u);
}
