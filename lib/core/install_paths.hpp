#pragma once
// Where preflight's data (the rule catalog) is, found from the running executable:
// BIN/../share/preflight. That holds for an installed program (/usr/bin/preflight
// and /usr/share/preflight) and for the build tree (build/bin and build/share,
// which the build links to the source's data). No path is compiled in.
#include <string>

namespace preflight {

// The folder of the running executable (from /proc/self/exe); throws Error when it
// cannot be read.
std::string executable_dir();

// executable_dir()/../share/preflight, normalised.
std::string data_dir();

}  // namespace preflight
