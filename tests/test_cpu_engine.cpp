// The CPU engine on facts built in C++: catalog lookups and errors, CPUID decode,
// causes of missing features, vendor refusal, masks and x86-64 levels.
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <cstring>
#include <ostream>
#include <string>

#include "core/error.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_compare.hpp"
#include "cpu/cpu_decode.hpp"
#include "cpu/cpu_format.hpp"
#include "cpu/cpu_level.hpp"
#include "facts/cpu_xml.hpp"

using namespace preflight;

namespace preflight {
std::ostream& operator<<(std::ostream& o, MissingCause c) { return o << cause_text(c); }
std::ostream& operator<<(std::ostream& o, const CpuFeatureSet& s) { return o << s.count() << " features"; }
}  // namespace preflight

namespace {

const CpuCatalog& cat() {
  static const CpuCatalog c = CpuCatalog::load();
  return c;
}

using preflight::test::error_of;

// Raw CPUID that sets exactly the bits of `names`, with a vendor string.
std::vector<CpuidLeaf> leaves_with(const std::vector<std::string>& names, const char* vendor) {
  std::vector<CpuidLeaf> leaves;
  auto leaf = [&](uint32_t l, uint32_t s) -> CpuidLeaf& {
    for (auto& x : leaves)
      if (x.leaf == l && x.subleaf == s) return x;
    leaves.push_back({l, s});
    return leaves.back();
  };
  CpuidLeaf& l0 = leaf(0, 0);
  std::memcpy(&l0.ebx, vendor, 4);
  std::memcpy(&l0.edx, vendor + 4, 4);
  std::memcpy(&l0.ecx, vendor + 8, 4);
  // Family 6 model 94 stepping 3 (Skylake): no erratum of cpu_errata.hpp drops a feature.
  leaf(1, 0).eax = 0x000506e3;
  for (const auto& n : names) {
    const CpuFeature& f = cat().features()[cat().feature_id(n)];
    CpuidLeaf& l = leaf(f.leaf, f.subleaf);
    uint32_t* regs[] = {&l.eax, &l.ebx, &l.ecx, &l.edx};
    *regs[static_cast<int>(f.reg)] |= f.mask;
  }
  return leaves;
}

HostFacts host_from_model(const std::string& name, const std::string& model, const std::string& vendor) {
  HostFacts h;
  h.name = name;
  std::vector<std::string> names = cat().names(cat().model(model).features);
  h.cpu.cpuid = leaves_with(names, vendor == "Intel" ? "GenuineIntel" : "AuthenticAMD");
  return h;
}

}  // namespace

BOOST_AUTO_TEST_CASE(feature_spellings_are_one_feature) {
  const size_t id = cat().feature_id("sse4.1");
  BOOST_TEST(cat().feature_id("sse4_1") == id);
  BOOST_TEST(cat().feature_id("sse4-1") == id);
  BOOST_TEST(cat().feature_id("SSE4_1") == id);
  BOOST_TEST(cat().feature_id("sse3") == cat().feature_id("pni"));
  BOOST_TEST(cat().feature_id("pclmulqdq") == cat().feature_id("pclmuldq"));
  BOOST_TEST(cat().feature_id("avx512_vnni") == cat().feature_id("avx512vnni"));
  BOOST_TEST(cat().feature_id("tsc_deadline_timer") == cat().feature_id("tsc-deadline"));
  BOOST_TEST(!cat().features()[cat().feature_id("invtsc")].migratable);
}

BOOST_AUTO_TEST_CASE(bad_names_and_folders_are_errors_that_say_what_to_do) {
  BOOST_TEST(error_of([] { cat().feature_id("avx5122f"); }).find("unknown CPU feature 'avx5122f' (did you mean") !=
             std::string::npos);
  BOOST_TEST(error_of([] { cat().model("Skylake-Clinet"); }).find("searched /usr/share/libvirt/cpu_map") !=
             std::string::npos);
  BOOST_TEST(error_of([] { CpuCatalog::load("/nonexistent/cpu_map"); })
                 .starts_with("/nonexistent/cpu_map/index.xml: cannot read: No such file or directory"));
}

BOOST_AUTO_TEST_CASE(models_come_from_data) {
  const CpuModel& icx = cat().model("Icelake-Server");
  BOOST_TEST(icx.vendor == cat().find_vendor("Intel"));
  BOOST_TEST(!icx.removed.empty());  // intel-pt
  BOOST_TEST(!icx.features.test(cat().feature_id("intel-pt")));
  BOOST_TEST(icx.features.test(cat().feature_id("avx512f")));
  BOOST_TEST(cat().model("EPYC").vendor == cat().find_vendor("AuthenticAMD"));
}

BOOST_AUTO_TEST_CASE(cpuid_decodes_to_features_vendor_and_signature) {
  const auto leaves = leaves_with({"sse4.2", "avx2", "vmx", "lahf_lm"}, "GenuineIntel");
  const CpuFeatureSet s = decode_cpuid(leaves, {}, cat());
  BOOST_TEST(s.count() == 4u);
  BOOST_TEST(s.test(cat().feature_id("avx2")));
  BOOST_TEST(cpuid_vendor_string(leaves) == "GenuineIntel");
  BOOST_TEST(cpuid_signature(leaves)->model == 94u);
  BOOST_TEST(!cpuid_hypervisor_bit(leaves));
  const CpuFeatureSet m = decode_cpuid({}, {{0x10a, 0x1}}, cat());  // IA32_ARCH_CAPABILITIES bit 0
  BOOST_TEST(m.test(cat().feature_id("rdctl-no")));
}

BOOST_AUTO_TEST_CASE(decoded_haswell_is_named_haswell) {
  const HostFacts h = host_from_model("h", "Haswell-noTSX", "Intel");
  const HostCpu cpu = resolve_host_cpu(h, cat());
  DecodeOptions o;
  o.vendor = cpu.vendor;
  o.guest = false;
  const DecodedCpu d = decode_model(cpu.features, o, cat());
  BOOST_TEST(d.model->name == "Haswell-noTSX");
  BOOST_TEST(d.required.empty());
}

BOOST_AUTO_TEST_CASE(firmware_switched_off_vmx_is_named_as_firmware) {
  HostFacts a = host_from_model("a", "Skylake-Client", "Intel");
  HostFacts b = a;
  b.name = "b";
  auto& leaves = b.cpu.cpuid.value();
  a.cpu.cpuid = leaves_with(cat().names(cat().model("Skylake-Client").features | cat().set_of({"vmx"})),
                            "GenuineIntel");
  b.cpu.cpuid = a.cpu.cpuid;
  (void)leaves;
  b.firmware.virtualization = false;
  a.firmware.virtualization = true;
  const CpuComparison c = compare_hosts(a, b, cat());
  BOOST_TEST_REQUIRE(c.missing_on_b.size() == 1u);
  BOOST_TEST(c.missing_on_b[0].name == "vmx");
  BOOST_TEST(c.missing_on_b[0].cause == MissingCause::disabled_by_firmware);
  BOOST_TEST(c.missing_on_a.empty());
}

BOOST_AUTO_TEST_CASE(tsx_hypervisor_and_silicon_causes) {
  HostFacts a = host_from_model("a", "Skylake-Client", "Intel");  // has hle, rtm
  HostFacts b = host_from_model("b", "Skylake-Client-noTSX-IBRS", "Intel");
  b.firmware.tsx = std::string("disabled");
  const CpuComparison c = compare_hosts(a, b, cat());
  bool saw_tsx = false;
  for (const auto& m : c.missing_on_b) {
    if (m.name == "hle" || m.name == "rtm") {
      saw_tsx = true;
      BOOST_TEST(m.cause == MissingCause::removed_by_microcode_or_kernel);
    }
  }
  BOOST_TEST(saw_tsx);
  // The same host without TSX facts, now a VM: hidden by its hypervisor.
  HostFacts v = host_from_model("v", "Skylake-Client-noTSX-IBRS", "Intel");
  for (auto& l : v.cpu.cpuid.value())
    if (l.leaf == 1) l.ecx |= 1U << 31;
  const auto missing = compare_hosts(a, v, cat()).missing_on_b;
  BOOST_TEST_REQUIRE(!missing.empty());
  BOOST_TEST(missing[0].cause == MissingCause::hidden_by_hypervisor);
  // Bare metal with no firmware facts: the CPU lacks it.
  HostFacts n = host_from_model("n", "Skylake-Client-noTSX-IBRS", "Intel");
  BOOST_TEST(compare_hosts(a, n, cat()).missing_on_b[0].cause == MissingCause::absent_in_silicon);
}

BOOST_AUTO_TEST_CASE(mixed_vendors_are_refused_naming_the_hosts) {
  std::vector<BaselineInput> in = {
      baseline_input(resolve_host_cpu(host_from_model("hostA", "Haswell", "Intel"), cat())),
      baseline_input(resolve_host_cpu(host_from_model("hostC", "EPYC", "AMD"), cat()))};
  BOOST_TEST(error_of([&] { compute_baseline(in, cat(), false); }) ==
             "baseline: mixed CPU vendors: AMD (hostC) vs Intel (hostA); a guest cannot move between CPU vendors; "
             "compute one baseline per vendor");
  // Stated by neither, implied by the models: refused too (libvirt accepts this).
  HostFacts x, y;
  x.name = "x";
  y.name = "y";
  x.cpu.libvirt_cpu = CpuDefinition{.model = "Dhyana"};
  y.cpu.libvirt_cpu = CpuDefinition{.model = "Nehalem"};
  in = {baseline_input(resolve_host_cpu(x, cat())), baseline_input(resolve_host_cpu(y, cat()))};
  BOOST_CHECK_THROW(compute_baseline(in, cat(), false), Error);
}

BOOST_AUTO_TEST_CASE(baseline_is_in_every_input_and_levels_follow) {
  std::vector<BaselineInput> in = {
      baseline_input(resolve_host_cpu(host_from_model("a", "Skylake-Server", "Intel"), cat())),
      baseline_input(resolve_host_cpu(host_from_model("b", "Haswell-noTSX", "Intel"), cat()))};
  const Baseline b = compute_baseline(in, cat(), false);
  BOOST_TEST(b.cpu.model->name == "Haswell-noTSX");
  BOOST_TEST(b.level == 2);  // cpu_map's Haswell lacks abm (LZCNT) and f16c, both v3
  BOOST_TEST(b.given_up.features(0).test(cat().feature_id("avx512f")));
  BOOST_TEST(b.given_up.features(1).empty());
  BOOST_TEST(x86_64_level(cat().model("Skylake-Server").features, cat()) == 4);
  BOOST_TEST(x86_64_level(cat().model("Nehalem").features, cat()) == 2);
  BOOST_TEST(format_qemu(b.cpu, cat()).starts_with("-cpu Haswell-noTSX"));
  BOOST_TEST(format_qemu(b.cpu, cat()).ends_with(",enforce"));
  const std::string vm = format_vmware(b.features, cat());
  BOOST_TEST(vm.find("cpuid.7.ebx = \"") != std::string::npos);
  // Leaf 1 ECX bit 31 (hypervisor) is in no input: hidden, first character.
  BOOST_TEST(vm.find("cpuid.1.ecx = \"0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mask_names_what_the_guest_gives_up) {
  HostFacts src = host_from_model("src", "Skylake-Server", "Intel");
  VmFacts vm;
  vm.name = "vm1";
  vm.has_cpu = true;
  vm.cpu.mode = "host-passthrough";
  const GuestCpu g = guest_cpu(vm, src, cat());
  BOOST_TEST(g.features == resolve_host_cpu(src, cat()).features);
  const std::vector<BaselineInput> hosts = {
      baseline_input(resolve_host_cpu(host_from_model("dst", "Broadwell-noTSX", "Intel"), cat()))};
  const Mask m = compute_mask(g, vm.name, hosts, cat(), false);
  BOOST_TEST(m.given_up.test(cat().feature_id("avx512f")));
  BOOST_TEST(m.baseline.features.subset_of(hosts[0].features));
  BOOST_TEST(m.baseline.cpu.model->name == "Broadwell-noTSX");

  vm.cpu = CpuDefinition{.mode = "custom", .model = "Haswell-noTSX", .features = {{"avx2", "disable"}, {"vmx", "optional"}}};
  const GuestCpu c = guest_cpu(vm, src, cat());
  BOOST_TEST(!c.features.test(cat().feature_id("avx2")));
  BOOST_TEST(!c.features.test(cat().feature_id("vmx")));  // src has no vmx
  BOOST_TEST(c.features.test(cat().feature_id("fma")));
}

namespace {
HostFacts described_host(const std::string& name, const std::string& model, const std::string& vendor,
                         CpuSignature sig, const std::string& microcode, std::vector<std::string> extra) {
  HostFacts h;
  h.name = name;
  CpuDefinition def;
  def.model = model;
  def.vendor = vendor;
  def.signature = sig;
  def.microcode = microcode;
  for (auto& f : extra) def.features.push_back({f, ""});
  h.cpu.libvirt_cpu = def;
  h.cpu.microcode = microcode;
  return h;
}
}  // namespace

BOOST_AUTO_TEST_CASE(older_microcode_is_a_cause_only_between_the_same_cpu_model) {
  const HostFacts newer = described_host("new", "Skylake-Server", "Intel", {6, 85, 4}, "0x2006e05", {"md-clear"});
  const HostFacts older = described_host("old", "Skylake-Server", "Intel", {6, 85, 4}, "0x2000064", {});
  const auto same = compare_hosts(newer, older, cat()).missing_on_b;
  BOOST_TEST_REQUIRE(same.size() == 1u);
  BOOST_TEST(same[0].name == "md-clear");
  BOOST_TEST(same[0].cause == MissingCause::removed_by_microcode_or_kernel);

  // Another model (or vendor): its microcode revision says nothing about this CPU's.
  const HostFacts other = described_host("haswell", "Haswell", "Intel", {6, 63, 2}, "0x49", {});
  for (const auto& m : compare_hosts(newer, other, cat()).missing_on_b) {
    if (m.name != "md-clear") continue;
    BOOST_TEST(m.cause == MissingCause::unknown);
    BOOST_TEST(m.detail.find("check its vendor for an update") != std::string::npos, m.detail);
  }
}

BOOST_AUTO_TEST_CASE(a_cpu_description_lacking_a_plain_feature_lacks_it_in_silicon) {
  // Skylake-Server has avx512f; a Haswell description does not list it: the silicon lacks it.
  const HostFacts sky = described_host("sky", "Skylake-Server", "Intel", {6, 85, 4}, "", {"vmx", "md-clear"});
  const HostFacts has = described_host("has", "Haswell", "Intel", {6, 63, 2}, "", {});
  bool saw_avx512 = false;
  for (const auto& m : compare_hosts(sky, has, cat()).missing_on_b) {
    if (m.name == "avx512f") {
      saw_avx512 = true;
      BOOST_TEST(m.cause == MissingCause::absent_in_silicon);
      BOOST_TEST(m.detail == "the CPU description of 'has' (model Haswell, family 6 model 63 stepping 2) does not list it");
    }
    // What firmware or microcode may have switched off stays unexplained.
    if (m.name == "vmx" || m.name == "md-clear") BOOST_TEST(m.cause == MissingCause::unknown, m.name);
  }
  BOOST_TEST(saw_avx512);
}

BOOST_AUTO_TEST_CASE(a_feature_named_twice_is_refused_as_libvirt_does) {
  CpuDefinition d;
  d.model = "Haswell";
  d.features = {{"aes", ""}, {"sse4.1", ""}, {"sse4_1", ""}};
  BOOST_TEST(error_of([&] { resolve_cpu_definition(d, "h", "cpus.xml#2", cat()); }) ==
             "cpus.xml#2: CPU feature 'sse4_1' specified more than once; list each feature once (libvirt refuses such "
             "a definition too)");
  pugi::xml_document doc;
  doc.load_string("<cpu><model>Haswell</model><feature name='aes'/><feature name='aes'/></cpu>");
  BOOST_TEST(error_of([&] { resolve_cpu_element(doc.child("cpu"), "h", "f.xml", cat()); }) ==
             "f.xml: CPU feature 'aes' specified more than once; list each feature once (libvirt refuses such a "
             "definition too)");
}

BOOST_AUTO_TEST_CASE(an_element_resolves_as_its_parsed_definition_does) {
  pugi::xml_document doc;
  doc.load_string(
      "<cpu mode='custom'><feature policy='disable' name='aes'/><arch>x86_64</arch><model fallback='allow'>Haswell</model>"
      "<vendor>Intel</vendor><signature family='6' model='60' stepping='3'/><microcode version='0x28'/>"
      "<feature name='avx512f' policy='require'/><feature name='vmx' policy='optional'/></cpu>");
  const HostCpu a = resolve_cpu_element(doc.child("cpu"), "h", "f.xml", cat());
  const HostCpu b = resolve_cpu_definition(parse_cpu_element(doc.child("cpu"), "cpu.xml"), "h", "f.xml", cat());
  BOOST_TEST(a.features == b.features);
  BOOST_TEST(a.model == "Haswell");
  BOOST_TEST(a.vendor_name == "Intel");
  BOOST_TEST(a.microcode == "0x28");
  BOOST_TEST(a.signature->model == 60u);
  BOOST_TEST(!a.features.test(cat().feature_id("aes")));  // the model has it; disabled, and the model came later
  BOOST_TEST(a.features.test(cat().feature_id("avx512f")));
  BOOST_TEST(!a.features.test(cat().feature_id("vmx")));  // optional, no host to ask
}

BOOST_AUTO_TEST_CASE(a_custom_model_gives_the_guest_only_what_the_source_cpu_has) {
  // qemu64 names svm (AMD); on an Intel source QEMU drops it, and says nothing.
  const HostFacts src = host_from_model("src", "Haswell-noTSX", "Intel");
  VmFacts vm;
  vm.name = "vm1";
  vm.has_cpu = true;
  vm.cpu = CpuDefinition{.mode = "custom", .model = "qemu64", .features = {{"avx512f", "require"}}};
  const GuestCpu g = guest_cpu(vm, src, cat());
  BOOST_TEST(!g.features.test(cat().feature_id("svm")));
  BOOST_TEST(g.features.test(cat().feature_id("sse2")));
  BOOST_TEST(g.features.test(cat().feature_id("avx512f")));  // required: a running guest has it
  BOOST_TEST_REQUIRE(g.notes.size() == 1u);
  BOOST_TEST(g.notes[0].find("model qemu64 names") == 0, g.notes[0]);
  BOOST_TEST(g.notes[0].find("svm") != std::string::npos, g.notes[0]);
  // No <cpu> at all: qemu64 too, the same way.
  VmFacts bare;
  bare.name = "vm2";
  BOOST_TEST(!guest_cpu(bare, src, cat()).features.test(cat().feature_id("svm")));
  BOOST_TEST(guest_cpu(bare, src, cat()).features.test(cat().feature_id("sse2")));
}

BOOST_AUTO_TEST_CASE(the_hypervisor_bit_is_no_feature_a_guest_misses) {
  // A nested host (CPUID hypervisor bit) and bare metal with the same CPU: QEMU sets
  // the bit for every guest, so nothing is missing either way.
  HostFacts nested = host_from_model("nested", "Skylake-Client", "Intel");
  for (auto& l : nested.cpu.cpuid.value())
    if (l.leaf == 1) l.ecx |= 1U << 31;
  const HostFacts metal = host_from_model("metal", "Skylake-Client", "Intel");
  const CpuComparison c = compare_hosts(nested, metal, cat());
  BOOST_TEST(c.a.hypervisor);
  BOOST_TEST(c.missing_on_b.empty());
  BOOST_TEST(c.identical());
  BOOST_TEST(comparison_text(c).find("nested: Intel family 6 model ") != std::string::npos, comparison_text(c));
  BOOST_TEST(comparison_text(c).find(", a virtual machine\n") != std::string::npos);
}
