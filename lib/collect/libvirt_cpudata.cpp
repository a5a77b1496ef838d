#include "collect/libvirt_cpudata.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "collect/cpuid_identify.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/xml_text.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

constexpr const char* kHint = "give libvirt's raw CPU data XML (<cpudata arch='x86'> with <cpuid .../> elements)";

// A 32-bit attribute; throws naming the file position and the attribute. The
// position (a scan from the start of the text) is only worked out for the error:
// done for every attribute, it made reading a file quadratic in its size.
uint32_t number(const pugi::xml_node& n, const char* name, std::string_view text, const std::string& origin) {
  const pugi::xml_attribute a = n.attribute(name);
  const auto where = [&] { return text_location(text, origin, static_cast<size_t>(n.offset_debug())); };
  if (!a) throw Error(fmt::format("{}: <{}> has no '{}'", where(), n.name(), name), kHint);
  const char* s = a.as_string();
  const auto v = parse_unsigned(s, 0xffffffffULL, Radix::decimal_or_hex);
  if (!v)
    throw Error(fmt::format("{}: <{}> {}='{}' is not a 32-bit number", where(), n.name(), name, quote_input(s)), kHint);
  return static_cast<uint32_t>(*v);
}

}  // namespace

LibvirtCpuData parse_libvirt_cpudata(std::string_view text, const std::string& origin) {
  const pugi::xml_document doc = parse_xml(text, origin, kHint);
  const pugi::xml_node root = xml_root(doc, "cpudata", origin, kHint);
  const std::string arch = root.attribute("arch").as_string();
  if (!root || arch != "x86")
    throw Error(fmt::format("{}: not x86 CPU data (<cpudata arch='{}'>)", origin, quote_input(arch)), kHint);
  LibvirtCpuData d;
  for (const pugi::xml_node n : root.children("cpuid")) {
    d.leaves.push_back(CpuidLeaf{number(n, "eax_in", text, origin), number(n, "ecx_in", text, origin),
                                 number(n, "eax", text, origin), number(n, "ebx", text, origin),
                                 number(n, "ecx", text, origin), number(n, "edx", text, origin)});
  }
  for (const pugi::xml_node n : root.children("msr")) {
    const uint64_t high = number(n, "edx", text, origin), low = number(n, "eax", text, origin);
    d.msrs.push_back(MsrValue{number(n, "index", text, origin), (high << 32) | low});
  }
  std::sort(d.leaves.begin(), d.leaves.end(), [](const CpuidLeaf& a, const CpuidLeaf& b) {
    return a.leaf != b.leaf ? a.leaf < b.leaf : a.subleaf < b.subleaf;
  });
  const bool has_leaf0 = std::any_of(d.leaves.begin(), d.leaves.end(),
                                     [](const CpuidLeaf& l) { return l.leaf == 0 && l.subleaf == 0; });
  if (!has_leaf0) throw Error(fmt::format("{}: no CPUID leaf 0 (eax_in='0x00000000')", origin), kHint);
  return d;
}

CpuFacts cpu_facts_from_libvirt_cpudata(std::string_view text, const std::string& origin) {
  LibvirtCpuData d = parse_libvirt_cpudata(text, origin);
  CpuFacts cpu;
  identify_cpu(d.leaves, cpu);
  cpu.cpuid = std::move(d.leaves);
  cpu.cpuid_cpus_read = 1u;
  cpu.cpuid_source = std::string("libvirt CPU data");
  cpu.cpuid_disagreement = Fact<std::vector<CpuidLeaf>>::unknown(origin + " holds one source");
  cpu.msrs = std::move(d.msrs);
  const std::string none = origin + " is libvirt CPU data, which does not record it";
  cpu.microcode = Fact<std::string>::unknown(none);
  cpu.kernel_flags = Fact<std::vector<std::string>>::unknown(none);
  return cpu;
}

}  // namespace preflight
