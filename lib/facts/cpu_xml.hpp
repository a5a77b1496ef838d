#pragma once
// Reading a libvirt <cpu> element (domain XML, capabilities, domain capabilities
// host-model mode, or a bare CPU file) into a CpuDefinition. Pure: takes a node.
#include <pugixml.hpp>

#include "facts/cpu_definition.hpp"

namespace preflight {

// `node` is a <cpu> element, or domain capabilities' <mode name='host-model'>
// (whose children have the same shape). Unknown attributes and children are ignored.
CpuDefinition parse_cpu_element(const pugi::xml_node& node);

}  // namespace preflight
