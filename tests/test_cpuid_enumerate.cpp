// CPUID enumeration rules, per-CPU variant grouping, cpulists, and the live reader.
#include <sched.h>

#include <boost/test/unit_test.hpp>
#include <ostream>
#include <algorithm>
#include <map>

#include "collect/cpuid_enumerate.hpp"
#include "collect/cpuid_reader.hpp"
#include "collect/cpuid_variants.hpp"
#include "collect/sysfs_cpulist.hpp"
#include "core/error.hpp"

#include "support/print_facts.hpp"

using namespace preflight;

namespace {

using Table = std::map<std::pair<uint32_t, uint32_t>, CpuidLeaf>;

void put(Table& t, uint32_t leaf, uint32_t sub, uint32_t eax, uint32_t ebx = 0, uint32_t ecx = 0, uint32_t edx = 0) {
  t[{leaf, sub}] = CpuidLeaf{leaf, sub, eax, ebx, ecx, edx};
}

// A CPU that answers every pair: recorded ones, else zeros (as Intel does for
// invalid sub-leaves).
CpuidQuery cpu(const Table& t) {
  return [&t](uint32_t leaf, uint32_t sub) -> std::optional<CpuidLeaf> {
    auto it = t.find({leaf, sub});
    return it != t.end() ? it->second : CpuidLeaf{leaf, sub};
  };
}

std::vector<std::pair<uint32_t, uint32_t>> keys(const std::vector<CpuidLeaf>& leaves) {
  std::vector<std::pair<uint32_t, uint32_t>> k;
  for (const auto& l : leaves) k.emplace_back(l.leaf, l.subleaf);
  return k;
}

std::vector<uint32_t> subleaves(const std::vector<CpuidLeaf>& leaves, uint32_t leaf) {
  std::vector<uint32_t> s;
  for (const auto& l : leaves)
    if (l.leaf == leaf) s.push_back(l.subleaf);
  return s;
}

Table sample_cpu() {
  Table t;
  put(t, 0, 0, 0x1F, 0x756e6547, 0x6c65746e, 0x49656e69);
  put(t, 4, 0, 0x121);  // data cache
  put(t, 4, 1, 0x122);  // instruction cache
  put(t, 4, 2, 0x143);  // L2
  put(t, 4, 4, 0x163);  // after the null sub-leaf 3: never reached
  put(t, 7, 0, 2, 0xd19f67eb);
  put(t, 7, 1, 0, 0, 0, 0x10);
  put(t, 7, 2, 0, 0, 0, 0x3f);
  put(t, 0xB, 0, 1, 2, 0x100, 7);
  put(t, 0xB, 1, 4, 8, 0x201, 7);
  put(t, 0xD, 0, 0xE7, 0xA88, 0xA88, 0);  // x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM
  put(t, 0xD, 1, 0xF, 0xA88, 0x100, 0);   // PT (bit 8) in IA32_XSS
  put(t, 0x12, 0, 1);
  put(t, 0x12, 1, 0x36);
  put(t, 0x12, 2, 0x1);  // an EPC section
  put(t, 0x14, 0, 1, 0xF);
  put(t, 0x14, 1, 0x2490002);
  put(t, 0x1F, 0, 1, 2, 0x100, 7);
  put(t, 0x1F, 1, 4, 8, 0x201, 7);
  put(t, 0x1F, 2, 6, 8, 0x502, 7);  // die level
  put(t, 0x80000000, 0, 0x80000008);
  put(t, 0x80000001, 0, 0, 0, 0x121, 0x2c100800);
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(enumerates_every_leaf_up_to_the_maxima_in_order) {
  const Table t = sample_cpu();
  const auto leaves = enumerate_cpuid(cpu(t));
  BOOST_TEST(std::is_sorted(leaves.begin(), leaves.end(), [](const CpuidLeaf& a, const CpuidLeaf& b) {
    return a.leaf != b.leaf ? a.leaf < b.leaf : a.subleaf < b.subleaf;
  }));
  for (uint32_t leaf = 0; leaf <= 0x1F; ++leaf) BOOST_TEST(find_cpuid_leaf(leaves, leaf) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x20) == nullptr);
  for (uint32_t leaf = 0x80000000; leaf <= 0x80000008; ++leaf) BOOST_TEST(find_cpuid_leaf(leaves, leaf) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x80000009) == nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x40000000) == nullptr);
}

BOOST_AUTO_TEST_CASE(follows_the_subleaf_rules_of_each_leaf) {
  const Table t = sample_cpu();
  const auto leaves = enumerate_cpuid(cpu(t));
  BOOST_TEST(subleaves(leaves, 4) == (std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST(subleaves(leaves, 7) == (std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST(subleaves(leaves, 0xB) == (std::vector<uint32_t>{0, 1}));
  BOOST_TEST(subleaves(leaves, 0xD) == (std::vector<uint32_t>{0, 1, 2, 5, 6, 7, 8}));
  BOOST_TEST(subleaves(leaves, 0x12) == (std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST(subleaves(leaves, 0x14) == (std::vector<uint32_t>{0, 1}));
  BOOST_TEST(subleaves(leaves, 0x1F) == (std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST(subleaves(leaves, 6) == (std::vector<uint32_t>{0}));
  BOOST_TEST(find_cpuid_leaf(leaves, 7, 1)->edx == 0x10u);
}

BOOST_AUTO_TEST_CASE(a_source_without_a_pair_skips_it) {
  const Table t = sample_cpu();
  const auto leaves = enumerate_cpuid([&t](uint32_t leaf, uint32_t sub) -> std::optional<CpuidLeaf> {
    auto it = t.find({leaf, sub});
    if (it == t.end()) return std::nullopt;
    return it->second;
  });
  BOOST_TEST(subleaves(leaves, 7) == (std::vector<uint32_t>{0, 1, 2}));
  BOOST_TEST(find_cpuid_leaf(leaves, 6) == nullptr);  // not recorded
  BOOST_TEST(subleaves(leaves, 0xD) == (std::vector<uint32_t>{0, 1}));
  BOOST_TEST(enumerate_cpuid([](uint32_t, uint32_t) -> std::optional<CpuidLeaf> { return std::nullopt; }).empty());
}

BOOST_AUTO_TEST_CASE(garbage_maxima_stay_finite) {
  Table t;
  put(t, 0, 0, 0xFFFFFFFF);
  put(t, 7, 0, 0xFFFFFFFF);
  put(t, 0x80000000, 0, 0x8FFFFFFF);
  const auto leaves = enumerate_cpuid(cpu(t));
  BOOST_TEST(find_cpuid_leaf(leaves, 0xFF) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x100) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x101) == nullptr);
  BOOST_TEST(subleaves(leaves, 7).size() == 64u);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x80000001) == nullptr);
}

BOOST_AUTO_TEST_CASE(cpuid_bit_reads_registers) {
  const auto leaves = enumerate_cpuid(cpu(sample_cpu()));
  BOOST_TEST(*cpuid_bit(leaves, 0x80000001, 0, CpuidReg::edx, 20) == true);  // NX
  BOOST_TEST(*cpuid_bit(leaves, 0x80000001, 0, CpuidReg::ecx, 2) == false);  // SVM
  BOOST_TEST(*cpuid_bit(leaves, 7, 0, CpuidReg::ebx, 0) == true);
  BOOST_TEST(!cpuid_bit(leaves, 0x30, 0, CpuidReg::eax, 0).has_value());
}

BOOST_AUTO_TEST_CASE(cpulists_round_trip) {
  BOOST_TEST(format_cpulist({3, 0, 1, 2, 8, 10, 11}) == "0-3,8,10-11");
  BOOST_TEST(format_cpulist({}) == "");
  BOOST_TEST(parse_cpulist("0-3,8,10-11\n", "x") == (std::vector<unsigned>{0, 1, 2, 3, 8, 10, 11}));
  BOOST_TEST(parse_cpulist("\n", "x").empty());
  BOOST_CHECK_EXCEPTION(parse_cpulist("0-a", "/sys/x/online"), Error, [](const Error& e) {
    return std::string(e.what()) ==
           "/sys/x/online: malformed cpulist '0-a'; expected ids and ranges like 0-3,8, ids up to 16383";
  });
  // Not enumerated up to 2^32: refused at the limit.
  BOOST_CHECK_THROW(parse_cpulist("0-4294967295", "/sys/x/online"), Error);
  BOOST_TEST(parse_cpulist("16383", "x") == (std::vector<unsigned>{16383}));
  BOOST_CHECK_THROW(parse_cpulist("5-2", "x"), Error);
}

namespace {

std::vector<CpuidLeaf> core(uint32_t apic, uint32_t core_type) {
  std::vector<CpuidLeaf> l = {
      {0, 0, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69},
      {1, 0, 0x906A3, (apic << 24) | 0x00400800, 0x7ffafbff, 0xbfebfbff},
      {4, 0, core_type == 0x40 ? 0x1C004121u : 0x1C000121u, 0x02C0003F, 0x3F, 0},
      {0xB, 0, 1, 2, 0x100, apic},
      {0x1A, 0, core_type << 24, 0, 0, 0},
      {0x8000001E, 0, apic, 0x100 | apic, apic & 1, 0},
  };
  return l;
}

}  // namespace

BOOST_AUTO_TEST_CASE(identifiers_are_masked_and_core_types_kept) {
  const auto masked = mask_cpu_identifiers(core(9, 0x40));
  BOOST_TEST(masked[1].ebx == 0x00400800u);
  BOOST_TEST(masked[3].edx == 0u);
  BOOST_TEST(masked[4].eax == 0x40000000u);
  BOOST_TEST(masked[5].eax == 0u);
  BOOST_TEST(masked[5].ebx == 0x100u);
}

BOOST_AUTO_TEST_CASE(variants_group_cpus_by_identical_difference) {
  // CPUs 0-3 P-cores (core type 0x40), 4-7 E-cores (0x20), CPU 6 also has an odd leaf 1.
  const auto reference = core(0, 0x40);
  std::vector<CpuidOfCpu> others;
  for (unsigned c = 1; c < 8; ++c) {
    auto leaves = core(c * 2, c < 4 ? 0x40 : 0x20);
    if (c == 6) leaves[1].ecx = 0x7ffafbfe;
    others.push_back(CpuidOfCpu{c, leaves});
  }
  const auto variants = group_cpuid_variants(reference, others);
  BOOST_TEST_REQUIRE(variants.size() == 2u);
  BOOST_TEST(variants[0].cpus == "4-5,7");
  BOOST_TEST((keys(variants[0].leaves) == (std::vector<std::pair<uint32_t, uint32_t>>{{4, 0}, {0x1A, 0}})));
  BOOST_TEST(variants[0].leaves[1].eax == 0x20000000u);
  BOOST_TEST(variants[1].cpus == "6");
  BOOST_TEST((keys(variants[1].leaves) == (std::vector<std::pair<uint32_t, uint32_t>>{{1, 0}, {4, 0}, {0x1A, 0}})));
  BOOST_TEST(variants[1].leaves[0].ebx == 0x00400800u);  // stored masked
}

BOOST_AUTO_TEST_CASE(a_pair_missing_on_one_cpu_is_a_difference) {
  auto other = core(2, 0x40);
  other.pop_back();
  const auto variants = group_cpuid_variants(core(0, 0x40), {CpuidOfCpu{1, other}});
  BOOST_TEST_REQUIRE(variants.size() == 1u);
  BOOST_TEST(variants[0].leaves.size() == 1u);
  BOOST_TEST(variants[0].leaves[0] == (CpuidLeaf{0x8000001E, 0, 0, 0, 0, 0}));
  BOOST_TEST(group_cpuid_variants(core(0, 0x40), {CpuidOfCpu{1, core(2, 0x40)}}).empty());
}

BOOST_AUTO_TEST_CASE(live_cpu0_reads_whole_and_restores_the_affinity) {
  cpu_set_t before, after;
  BOOST_TEST_REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
  const auto leaves = read_cpuid_leaves_on_cpu(0);
  BOOST_TEST_REQUIRE(sched_getaffinity(0, sizeof after, &after) == 0);
  BOOST_TEST(CPU_EQUAL(&before, &after));
  const CpuidLeaf* l0 = find_cpuid_leaf(leaves, 0);
  BOOST_TEST_REQUIRE(l0 != nullptr);
  for (uint32_t leaf = 0; leaf <= std::min<uint32_t>(l0->eax, 0x100); ++leaf)
    BOOST_TEST(find_cpuid_leaf(leaves, leaf) != nullptr, "leaf " << leaf);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x80000000) != nullptr);
  // The same CPU twice: identical after masking identifiers (nothing per-read leaks in).
  BOOST_TEST(mask_cpu_identifiers(read_cpuid_leaves_on_cpu(0)) == mask_cpu_identifiers(leaves));
  BOOST_CHECK_THROW(read_cpuid_leaves_on_cpu(100000), Error);
}

// Every leaf a read claims (basic up to its own leaf 0 EAX, and 0x80000000) is in it.
void check_whole(const std::vector<CpuidLeaf>& leaves, const char* method) {
  const CpuidLeaf* l0 = find_cpuid_leaf(leaves, 0);
  BOOST_TEST_REQUIRE(l0 != nullptr, method << ": no leaf 0");
  for (uint32_t leaf = 0; leaf <= std::min<uint32_t>(l0->eax, 0x100); ++leaf)
    BOOST_TEST(find_cpuid_leaf(leaves, leaf) != nullptr, method << ": leaf " << leaf);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x80000000) != nullptr, method << ": leaf 0x80000000");
}

// The instruction and /dev/cpu/0/cpuid may answer differently (a hypervisor below
// this machine can trap them apart); what holds everywhere is that each is read whole,
// or that the device's absence is explained. Which one the facts keep is
// test_local_collect's subject.
BOOST_AUTO_TEST_CASE(live_instruction_and_dev_cpuid_each_read_whole) {
  const auto pinned = read_cpuid_leaves_on_cpu(0, CpuidMethod::pinned_instruction);
  check_whole(pinned, "instruction");
  const CpuidRead preferred = read_cpuid_on_cpu(0);
  BOOST_TEST(std::string(cpuid_method_name(preferred.method)) == "instruction");
  std::vector<CpuidLeaf> device;
  try {
    device = read_cpuid_leaves_on_cpu(0, CpuidMethod::dev_cpuid);
  } catch (const Error& e) {
    // Without the cpuid module the fallback must say why, naming the device.
    BOOST_TEST(std::string(e.what()).find("cpu 0: cannot read CPUID: /dev/cpu/0/cpuid: ") == 0u, e.what());
    return;
  }
  check_whole(device, "dev-cpuid");
  const auto differs = group_cpuid_variants(pinned, {CpuidOfCpu{0, device}});
  BOOST_TEST_MESSAGE("live: /dev/cpu/0/cpuid differs from the instruction on "
                     << (differs.empty() ? 0 : differs.front().leaves.size()) << " leaves");
}
