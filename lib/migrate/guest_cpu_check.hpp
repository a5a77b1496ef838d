#pragma once
// After a move: does the destination run the guest CPU that was planned (the
// source's live definition before the move)? Pure: CPU definitions in, differences out.
#include <string>
#include <vector>

#include "facts/cpu_definition.hpp"

namespace preflight {

// What the guest lost, one line each, in this order: "mode host-model became
// custom", "model Haswell became qemu64", "lost avx2" (a feature `planned` enables
// -- policy require, force or none -- that `actual` does not). Empty: as planned.
// Features `actual` adds are not losses.
std::vector<std::string> guest_cpu_losses(const CpuDefinition& planned, const CpuDefinition& actual);

}  // namespace preflight
