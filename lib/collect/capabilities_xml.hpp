#pragma once
// Reading `virsh capabilities` and `virsh domcapabilities` XML into HostFacts.
// Pure: text in, facts out. Both fill only what their XML holds and leave the
// other fields of `into` as they were.
#include <string>
#include <string_view>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// <capabilities>: host_uuid (unknown when absent), arch, cpu.libvirt_cpu (unknown
// when the host <cpu> names no model), topology (sockets, cores per socket = dies x
// cores, threads, NUMA cells, CPU count and online list from the cells), firmware.iommu
// (<iommu support>), hypervisor.machine_types and .emulators of the x86_64 hvm guests
// (unknown when there is none). Throws Error "<origin>:<line>:<col>: ..." for
// malformed XML, "<origin>: expected <capabilities> ..." for another document.
void parse_capabilities_xml(std::string_view xml, const std::string& origin, HostFacts& into);

// Huge page sizes the host offers (host <cpu><pages> above the base page) with the
// total page count summed over the NUMA cells; `free` is 0 (capabilities do not
// report it). Empty when the cells report no page counts.
std::vector<HugepagePool> capabilities_hugepages(std::string_view xml, const std::string& origin);

// The domain types (<domain type>: kvm, qemu) the x86_64 hvm guests of a
// <capabilities> document list, in order, without repeats.
std::vector<std::string> capabilities_domain_types(std::string_view xml, const std::string& origin);

// <domainCapabilities> as the offer for one domain type: its <domain>, emulator,
// machine, the host-model CPU (unknown with the reason when not supported), which
// CPU modes are supported, the custom models with usability and blockers, firmware.
GuestOffer parse_guest_offer(std::string_view xml, const std::string& origin);

// <domainCapabilities>: cpu.host_model (unknown with the reason when host-model is
// not supported), hypervisor.firmware (loader paths offered), and the machine and
// emulator path added to hypervisor.machine_types / .emulators when missing.
void parse_domcaps_xml(std::string_view xml, const std::string& origin, HostFacts& into);

}  // namespace preflight
