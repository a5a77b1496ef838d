#pragma once
// The verdict as a Graphviz DOT picture of why a VM can or cannot move (R56,
// vSphere's "Maps"): the VM and both hosts; the VM's networks, bridges, disks and
// their pools on the source; their counterparts on the destination (or a dashed
// "missing" node). Each edge to the destination is coloured by the findings that
// concern it -- red block (dashed: a fact is unknown), orange warn, blue waived,
// green nothing -- and labelled with their rule ids. Findings that concern no
// single network or disk (CPU, memory, devices, ...) colour the VM -> destination
// host edge.
//
// A finding concerns a network, bridge or disk when its subjects name it
// (rules/subject.hpp: the VM's network by name, a bridge by name, a disk by its
// target); its message and evidence are not read, so rewording them moves no edge.
// Errors carry no subjects and colour the VM -> destination host edge.
#include <string>
#include <string_view>

#include "facts/host_facts.hpp"
#include "rules/verdict.hpp"

namespace preflight {

// `vm` as it is on `source`; the facts are those the verdict was made from.
std::string render_dot(const Verdict& v, const HostFacts& source, const HostFacts& destination, const VmFacts& vm);

// `text` as a DOT double-quoted string: " and \ escaped, a newline as \n.
std::string dot_quote(std::string_view text);

}  // namespace preflight
