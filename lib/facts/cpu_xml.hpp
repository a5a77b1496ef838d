#pragma once
// Reading a libvirt <cpu> element (domain XML, capabilities, domain capabilities
// host-model mode, or a bare CPU file) into a CpuDefinition. Pure: takes a node.
#include <pugixml.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "facts/cpu_definition.hpp"

namespace preflight {

// `node` is a <cpu> element, or domain capabilities' <mode name='host-model'>
// (whose children have the same shape). Unknown attributes and children are ignored.
// Throws Error starting with `where` (the file, host or CPU name) for a <signature>
// whose numbers are not whole numbers (family='nan') or a <feature> whose policy is
// not one of libvirt's (force, require, optional, disable, forbid).
CpuDefinition parse_cpu_element(const pugi::xml_node& node, const std::string& where);

// Everything of `node` but its <feature> children, into `cpu` (the first of each
// child counts).
void parse_cpu_header_child(const pugi::xml_node& child, CpuDefinition& cpu, const std::string& where);
// Throws Error "<where>: a CPU of architecture 'aarch64', not x86" unless `arch` is
// empty, x86_64, i686 or i386 (the catalog is libvirt's x86 cpu_map).
void check_x86_arch(std::string_view arch, const std::string& where);
// Throws the Error of parse_cpu_element for a policy libvirt refuses ("" is none).
void check_feature_policy(std::string_view name, std::string_view policy, const std::string& where);
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
void read_cpu_element(const pugi::xml_node& node, CpuDefinition& cpu, const std::string& where, OnFeature&& on_feature) {
  parse_cpu_attributes(node, cpu);
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    if (!name_is(child.name(), "feature")) {
      parse_cpu_header_child(child, cpu, where);
      continue;
    }
    std::string_view name, policy;
    for (pugi::xml_attribute a = child.first_attribute(); a; a = a.next_attribute()) {
      const char* key = a.name();
      if (name_is(key, "name")) name = a.value();
      else if (name_is(key, "policy")) policy = a.value();
    }
    if (!policy.empty()) check_feature_policy(name, policy, where);
    on_feature(name, policy);
  }
}

}  // namespace preflight
