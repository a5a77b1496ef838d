#pragma once
// The migration-link test (R22): a real TCP connection from this machine to a
// destination's migration address. I/O, so it lives in collect/; the engine gets
// the result as a fact (rules/link_probe_result.hpp).
#include <chrono>
#include <string>

#include "rules/link_probe_result.hpp"

namespace preflight {

// Port tried when the address names none: libvirt's migration transport is
// usually SSH (qemu+ssh://), so 22.
inline constexpr int kDefaultMigrationPort = 22;

// "host", "host:port", "[v6]:port" -> a connection attempt within `timeout`.
// Never throws for network failures: they are an unreachable result with the
// reason (resolution failed, refused, timed out). Throws Error for a malformed
// address.
LinkProbeResult probe_link(const std::string& address, std::chrono::milliseconds timeout);

}  // namespace preflight
