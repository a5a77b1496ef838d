#pragma once
// What `preflight baseline` prints beside the CPU itself (on stderr): the x86-64
// level and what each host gives up. The CPU's own forms are cpu/cpu_format.hpp.
#include <string>

#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_catalog.hpp"

namespace preflight {

// "baseline Skylake-Client of 3 CPUs: x86-64-v3 (91 features)\n", then one line
// per host, "  hostA gives up 2: hle rtm\n" ("nothing" for none), the first 20
// hosts only, then "  ... and N more hosts (-o json lists all)\n". `cpus`: how
// many CPUs went in.
std::string baseline_summary_text(const Baseline& b, size_t cpus, const CpuCatalog& catalog);

}  // namespace preflight
