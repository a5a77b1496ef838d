#include "facts/cpu_xml.hpp"

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/xml_text.hpp"

namespace preflight {

using xml::attr;
using xml::text;

void parse_cpu_attributes(const pugi::xml_node& node, CpuDefinition& cpu) {
  if (std::string_view(node.name()) == "mode") {
    cpu.mode = attr(node, "name");
  } else {
    cpu.mode = attr(node, "mode");
    cpu.match = attr(node, "match");
    cpu.check = attr(node, "check");
  }
}

namespace {

uint32_t signature_number(const pugi::xml_node& n, const char* name, uint64_t max, const std::string& where) {
  return static_cast<uint32_t>(require_unsigned(n.attribute(name).as_string(), max, where,
                                                fmt::format("<signature {}='...'>", name),
                                                "a CPU signature's family, model and stepping are whole numbers"));
}

}  // namespace

void check_feature_policy(std::string_view name, std::string_view policy, const std::string& where) {
  if (policy == "require" || policy == "force" || policy == "optional" || policy == "disable" || policy == "forbid")
    return;
  throw Error(fmt::format("{}: CPU feature '{}' has invalid policy '{}'", where, quote_input(name), quote_input(policy)),
              "use require, force, optional, disable or forbid (libvirt refuses other policies too)");
}

void parse_cpu_header_child(const pugi::xml_node& child, CpuDefinition& cpu, const std::string& where) {
  // The first of each child counts: a later one is only seen if the first left its field empty.
  const std::string_view tag = child.name();
  if (tag == "arch") {
    if (cpu.arch.empty()) cpu.arch = text(child);
  } else if (tag == "model") {
    if (cpu.model.empty() && cpu.fallback.empty()) {
      cpu.model = text(child);
      cpu.fallback = attr(child, "fallback");
    }
  } else if (tag == "vendor") {
    if (cpu.vendor.empty()) cpu.vendor = text(child);
  } else if (tag == "signature") {
    if (cpu.signature) return;
    CpuSignature s;
    s.family = signature_number(child, "family", 0xffff, where);
    s.model = signature_number(child, "model", 0xffff, where);
    if (child.attribute("stepping")) s.stepping = signature_number(child, "stepping", 0xff, where);
    cpu.signature = s;
  } else if (tag == "microcode") {
    if (cpu.microcode.empty()) cpu.microcode = attr(child, "version");
  }
}

void check_x86_arch(std::string_view arch, const std::string& where) {
  if (arch.empty() || arch == "x86_64" || arch == "i686" || arch == "i386") return;
  throw Error(fmt::format("{}: a CPU of architecture '{}', not x86", where, quote_input(arch)),
              "preflight compares x86 CPUs (libvirt's x86 cpu_map); give an x86_64 or i686 CPU");
}

CpuDefinition parse_cpu_element(const pugi::xml_node& node, const std::string& where) {
  CpuDefinition cpu;
  read_cpu_element(node, cpu, where, [&cpu](std::string_view name, std::string_view policy) {
    cpu.features.push_back({std::string(name), std::string(policy)});
  });
  check_x86_arch(cpu.arch, where);
  return cpu;
}

}  // namespace preflight
