#pragma once
// The state of a VM as facts carry it (VmFacts::state, the facts YAML key `state`,
// a file format other tools read): libvirt's domain states by the names
// `virsh domstate` gives, except "shutoff" in one word. collect/libvirt_client.hpp
// maps libvirt's VIR_DOMAIN_* here; every other layer compares against these names.
#include <string_view>

#include "facts/vm_facts.hpp"

namespace preflight::vm_state {

inline constexpr std::string_view running = "running";
inline constexpr std::string_view blocked = "blocked";          // running, waiting on a resource
inline constexpr std::string_view paused = "paused";
inline constexpr std::string_view shutdown = "shutdown";        // being shut down, still running
inline constexpr std::string_view shutoff = "shutoff";          // defined, not running
inline constexpr std::string_view crashed = "crashed";          // stopped by a crash
inline constexpr std::string_view pmsuspended = "pmsuspended";  // suspended to RAM by the guest
inline constexpr std::string_view unknown = "unknown";

}  // namespace preflight::vm_state

namespace preflight {

// True when the VM holds memory and vCPUs on its host: every state but shutoff and
// crashed. An unknown or empty state counts as active, so that free memory and
// committed vCPUs are never overstated on a guess.
bool vm_is_active(const VmFacts& vm);

}  // namespace preflight
