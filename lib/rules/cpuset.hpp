#pragma once
// libvirt cpusets ("0-3,^2,8") and kernel cpulists ("0-7,16-23") as sets of CPU ids.
#include <set>
#include <string>

namespace preflight {

// Throws Error naming `text` when it is not a cpuset. "" is the empty set.
std::set<unsigned> parse_cpuset(const std::string& text);

}  // namespace preflight
