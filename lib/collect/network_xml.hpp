#pragma once
// Reading libvirt network XML (virsh net-dumpxml) and host interface XML
// (virsh iface-dumpxml). Pure: text in, facts out.
#include <optional>
#include <string>
#include <string_view>

#include "facts/host_facts.hpp"

namespace preflight {

// forward_mode: <forward mode> ("nat" when <forward> has no mode, "" when there is
// no <forward>: isolated). subnets: "address/prefix" of each <ip> as written (a
// netmask is converted to a prefix). `active` is false: the XML does not say; the
// collector sets it. Throws Error "<origin>:<line>:<col>: ..." on malformed XML.
NetworkFacts parse_network_xml(std::string_view xml, const std::string& origin);

// A host bridge: <interface type='bridge'> with its member interfaces and its own
// addresses; nullopt when the interface is not a bridge. A member is physical when
// it is type ethernet or bond (a bond of NICs), not physical when vlan or bridge,
// and unknown (with the reason) for any other type.
std::optional<BridgeFacts> parse_interface_xml(std::string_view xml, const std::string& origin);

// A physical NIC from a libvirt node device of capability net (virsh
// nodedev-dumpxml): its interface name, the link speed (Mbit/s) and state libvirt
// read from sysfs. Physical: it has a <parent> and that is not "computer" (the
// parent of veth, tap, bridge and bond devices; a NIC's is its PCI or USB
// function), as the local collector goes by /sys/class/net/NAME/device. nullopt for
// any other device. A speed that is absent, 0 or 4294967295 (libvirt's reading of
// the kernel's -1, no speed) is unknown with the reason, never a number; one that is
// not a whole number, or above 4294967295, is an Error naming `origin`.
std::optional<NicFacts> parse_net_device_xml(std::string_view xml, const std::string& origin);

}  // namespace preflight
