#include "facts/cpu_xml.hpp"

#include <string>

#include "core/xml_text.hpp"

namespace preflight {

using xml::attr;
using xml::text;

CpuDefinition parse_cpu_element(const pugi::xml_node& node) {
  CpuDefinition cpu;
  const std::string name = node.name();
  if (name == "mode") {
    cpu.mode = attr(node, "name");
  } else {
    cpu.mode = attr(node, "mode");
    cpu.match = attr(node, "match");
    cpu.check = attr(node, "check");
  }
  if (auto arch = node.child("arch")) cpu.arch = text(arch);
  if (auto model = node.child("model")) {
    cpu.model = text(model);
    cpu.fallback = attr(model, "fallback");
  }
  if (auto vendor = node.child("vendor")) cpu.vendor = text(vendor);
  if (auto sig = node.child("signature")) {
    CpuSignature s;
    s.family = sig.attribute("family").as_uint();
    s.model = sig.attribute("model").as_uint();
    if (sig.attribute("stepping")) s.stepping = sig.attribute("stepping").as_uint();
    cpu.signature = s;
  }
  if (auto mc = node.child("microcode")) cpu.microcode = attr(mc, "version");
  for (auto f : node.children("feature")) {
    cpu.features.push_back({attr(f, "name"), attr(f, "policy")});
  }
  return cpu;
}

}  // namespace preflight
