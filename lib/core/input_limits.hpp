#pragma once
// The limits on what preflight reads, in one place. Each one is named in the error
// when an input goes past it, so an operator knows which limit was hit.
#include <cstddef>
#include <cstdint>

namespace preflight {

inline constexpr uint64_t kMaxInputBytes = 256ULL << 20;  // one input file: 256 MiB
inline constexpr size_t kMaxStringBytes = 1 << 20;        // one YAML scalar, XML attribute or text: 1 MiB
inline constexpr int kMaxNestingDepth = 64;               // YAML collections or XML elements inside each other
inline constexpr size_t kMaxYamlNodes = 1'000'000;        // YAML nodes of one document, aliases expanded
inline constexpr uint64_t kMaxCpuId = 16383;              // highest CPU number in a cpuset (libvirt's 16384-CPU masks)

}  // namespace preflight
