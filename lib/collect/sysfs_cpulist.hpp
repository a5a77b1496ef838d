#pragma once
// The kernel's cpulist syntax ("0-3,8,10-11"), as in /sys/devices/system/cpu/online.
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

// Ascending, without duplicates. Throws Error "<origin>: ..." on malformed text;
// blank text is the empty list.
std::vector<unsigned> parse_cpulist(std::string_view text, const std::string& origin);

// Ranges of consecutive ids collapsed: {0,1,2,3,8} -> "0-3,8". Input need not be sorted.
std::string format_cpulist(std::vector<unsigned> ids);

}  // namespace preflight
