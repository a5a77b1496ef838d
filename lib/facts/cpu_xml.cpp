#include "facts/cpu_xml.hpp"

#include <string>
#include <string_view>

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
  // Baselines read thousands of these: one pass over each feature's attributes.
  size_t count = 0;
  for (auto f : node.children("feature")) ++count;
  cpu.features.reserve(count);
  for (auto f : node.children("feature")) {
    CpuFeatureRef ref;
    for (auto a = f.first_attribute(); a; a = a.next_attribute()) {
      const std::string_view key = a.name();
      if (key == "name") ref.name = a.value();
      if (key == "policy") ref.policy = a.value();
    }
    cpu.features.push_back(std::move(ref));
  }
  return cpu;
}

}  // namespace preflight
