#pragma once
// /proc/cpuinfo: one block per logical CPU, "key<TAB>: value" lines.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

// One map per processor block, in file order; keys as the kernel writes them
// ("cpu MHz", "flags"), values trimmed. Lines without ':' are ignored.
std::vector<std::map<std::string, std::string>> parse_cpuinfo(std::string_view text);

// Space-separated words of a value ("flags", "bugs"); empty for an empty value.
std::vector<std::string> split_words(std::string_view value);

}  // namespace preflight
