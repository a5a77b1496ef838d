#include "facts/cpu_xml.hpp"

#include <string>
#include <string_view>

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

void parse_cpu_header_child(const pugi::xml_node& child, CpuDefinition& cpu) {
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
    s.family = child.attribute("family").as_uint();
    s.model = child.attribute("model").as_uint();
    if (child.attribute("stepping")) s.stepping = child.attribute("stepping").as_uint();
    cpu.signature = s;
  } else if (tag == "microcode") {
    if (cpu.microcode.empty()) cpu.microcode = attr(child, "version");
  }
}

CpuDefinition parse_cpu_element(const pugi::xml_node& node) {
  CpuDefinition cpu;
  read_cpu_element(node, cpu, [&cpu](std::string_view name, std::string_view policy) {
    cpu.features.push_back({std::string(name), std::string(policy)});
  });
  return cpu;
}

}  // namespace preflight
