#pragma once
// How Boost.Test prints facts values when a comparison fails.
#include <ostream>

#include "facts/host_facts.hpp"

namespace preflight {

inline std::ostream& boost_test_print_type(std::ostream& os, const CpuidLeaf& l) {
  return os << std::hex << "{0x" << l.leaf << "." << l.subleaf << ": " << l.eax << " " << l.ebx << " " << l.ecx << " "
            << l.edx << "}" << std::dec;
}
inline std::ostream& boost_test_print_type(std::ostream& os, const HugepagePool& p) {
  return os << "{" << p.size_kib << " kB: " << p.total << "/" << p.free << "}";
}

}  // namespace preflight
