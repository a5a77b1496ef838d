#pragma once
// /proc/meminfo: "Name:   value [kB]" lines.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace preflight {

// Name -> number as written (KiB for "kB" lines, a count for HugePages_*).
// Throws Error "<origin>:<line>: ..." on a line that is not "Name: number [kB]".
std::map<std::string, uint64_t> parse_meminfo(std::string_view text, const std::string& origin);

}  // namespace preflight
