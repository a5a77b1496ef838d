#pragma once
// A decoded guest CPU in the formats operators paste into their tools. Pure
// string building; nothing prints.
#include <string>

#include <nlohmann/json.hpp>

#include "cpu/cpu_baseline.hpp"

namespace preflight {

// What `virsh cpu-baseline` prints, byte for byte: <cpu mode='custom'
// match='exact'>, <model fallback='allow|forbid'>, <vendor> when show_vendor, then
// required features, disabled ones, and removed model features the CPU lacks. With
// `expand` (virsh --features) every feature of the model is listed too, all sorted
// by name.
std::string format_libvirt(const DecodedCpu& cpu, bool show_vendor, const CpuCatalog& catalog, bool expand);

// QEMU's -cpu argument: "-cpu Model,+a,-b,enforce" (QEMU spellings: '-' for '_').
std::string format_qemu(const DecodedCpu& cpu, const CpuCatalog& catalog);

// VMware KB 1993-style CPUID masks, one line per register that holds a catalog
// feature: cpuid.<leaf>[.<subleaf>].<reg> = "xxxx:xxxx:...", bit 31 first, with
// '-' = pass the host's bit through (the feature is in `visible`, or the catalog
// has no feature there) and '0' = hide the bit (a known feature not in `visible`).
// MSR features, which no CPUID mask can hide, follow as '#' comment lines.
std::string format_vmware(const CpuFeatureSet& visible, const CpuCatalog& catalog);

// The model, vendor, feature lists, level and per-host losses.
nlohmann::json baseline_json(const Baseline& b, const CpuCatalog& catalog);

}  // namespace preflight
