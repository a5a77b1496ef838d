#pragma once
// Collecting HostFacts from a libvirt connection (qemu:///system, qemu+ssh://...,
// or the test driver test:///abs/path/host.xml). Always read-only.
#include <string>

#include "facts/host_facts.hpp"

namespace preflight {

// Fills identity, arch, hypervisor (driver, versions, machine types, emulators,
// firmware), the CPU as libvirt reports it (capabilities host CPU, host-model
// expansion), memory, topology, networks, bridges, pools with volumes and every
// domain (active and inactive) with its state. What the driver cannot report is
// unknown with the reason; free memory where the driver has no free-memory call
// (test driver) is derived as total minus the current memory of the active domains,
// and memory.free_note says so. name and source are set to `uri`.
// Throws Error "<uri>: cannot connect: <libvirt message>" when the URI cannot be
// opened. Never prints (libvirt's default error printing is silenced).
HostFacts collect_libvirt(const std::string& uri);

}  // namespace preflight
