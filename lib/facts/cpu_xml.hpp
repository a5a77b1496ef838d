#pragma once
// Reading a libvirt <cpu> element (domain XML, capabilities, domain capabilities
// host-model mode, or a bare CPU file) into a CpuDefinition. Pure: takes a node.
#include <pugixml.hpp>

#include <cstddef>
#include <string_view>

#include "facts/cpu_definition.hpp"

namespace preflight {

// `node` is a <cpu> element, or domain capabilities' <mode name='host-model'>
// (whose children have the same shape). Unknown attributes and children are ignored.
CpuDefinition parse_cpu_element(const pugi::xml_node& node);

// Everything of `node` but its <feature> children, into `cpu` (the first of each
// child counts).
void parse_cpu_header_child(const pugi::xml_node& child, CpuDefinition& cpu);
void parse_cpu_attributes(const pugi::xml_node& node, CpuDefinition& cpu);

// One pass over `node`: the header into `cpu` (features untouched), and
// on_feature(name, policy) for each <feature> in document order (policy "" when
// absent). Baselines read thousands of CPUs this way without copying names.
// s == lit, for a NUL-terminated s, without a library call (read_cpu_element
// compares every child's name).
template <size_t N>
bool name_is(const char* s, const char (&lit)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (s[i] != lit[i]) return false;
  return true;
}

template <class OnFeature>
void read_cpu_element(const pugi::xml_node& node, CpuDefinition& cpu, OnFeature&& on_feature) {
  parse_cpu_attributes(node, cpu);
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    if (!name_is(child.name(), "feature")) {
      parse_cpu_header_child(child, cpu);
      continue;
    }
    std::string_view name, policy;
    for (pugi::xml_attribute a = child.first_attribute(); a; a = a.next_attribute()) {
      const char* key = a.name();
      if (name_is(key, "name")) name = a.value();
      else if (name_is(key, "policy")) policy = a.value();
    }
    on_feature(name, policy);
  }
}

}  // namespace preflight
