#include "collect/network_xml.hpp"

#include <arpa/inet.h>

#include <bitset>
#include <cstdint>

#include "collect/libvirt_xml.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight {

namespace {

using xml::attr;
using xml::text;

// "address/prefix"; a dotted netmask becomes its prefix length; "address" alone
// when neither is given.
std::string cidr(const pugi::xml_node& ip) {
  const std::string address = attr(ip, "address");
  std::string prefix = attr(ip, "prefix");
  if (prefix.empty() && ip.attribute("netmask")) {
    in_addr mask{};
    if (inet_pton(AF_INET, attr(ip, "netmask").c_str(), &mask) == 1) {
      prefix = std::to_string(std::bitset<32>(ntohl(mask.s_addr)).count());
    }
  }
  return prefix.empty() ? address : address + "/" + prefix;
}

Fact<bool> is_physical(const std::string& type) {
  if (type == "ethernet" || type == "bond") return true;
  if (type == "vlan" || type == "bridge") return false;
  return Fact<bool>::unknown("libvirt interface type '" + type + "' does not say whether it is a physical NIC");
}

}  // namespace

NetworkFacts parse_network_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto net = xml::root(doc, "network", origin);
  NetworkFacts out;
  out.name = text(net.child("name"));
  if (auto fwd = net.child("forward")) {
    out.forward_mode = attr(fwd, "mode");
    if (out.forward_mode.empty()) out.forward_mode = "nat";
    if (fwd.attribute("dev")) out.forward_devs.push_back(attr(fwd, "dev"));
    for (auto i : fwd.children("interface")) {
      const std::string dev = attr(i, "dev");
      if (!dev.empty() && dev != attr(fwd, "dev")) out.forward_devs.push_back(dev);
    }
    for (auto pf : fwd.children("pf")) out.forward_devs.push_back(attr(pf, "dev"));
  }
  out.bridge = attr(net.child("bridge"), "name");
  for (auto pg : net.children("portgroup")) out.portgroups.push_back({attr(pg, "name"), attr(pg, "default") == "yes"});
  for (auto ip : net.children("ip")) out.subnets.push_back(cidr(ip));
  return out;
}

std::optional<BridgeFacts> parse_interface_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto iface = xml::root(doc, "interface", origin);
  if (attr(iface, "type") != "bridge") return std::nullopt;
  BridgeFacts out;
  out.name = attr(iface, "name");
  for (auto m : iface.child("bridge").children("interface")) {
    out.members.push_back({attr(m, "name"), is_physical(attr(m, "type"))});
  }
  for (auto proto : iface.children("protocol")) {
    for (auto ip : proto.children("ip")) out.subnets.push_back(cidr(ip));
  }
  return out;
}

std::optional<NicFacts> parse_net_device_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto device = xml::root(doc, "device", origin);
  pugi::xml_node net;
  for (auto cap : device.children("capability"))
    if (attr(cap, "type") == "net") net = cap;
  const std::string parent = text(device.child("parent"));
  if (!net || parent.empty() || parent == "computer") return std::nullopt;
  NicFacts out;
  out.name = text(net.child("interface"));
  if (out.name.empty()) throw Error(origin + ": a net device without <interface>", "check the host's libvirt node devices");
  const pugi::xml_node link = net.child("link");
  const std::string state = attr(link, "state");
  out.up = state == "up";
  const std::string speed = attr(link, "speed");
  if (speed.empty()) {
    out.speed_mbps = Fact<uint64_t>::unknown(
        "libvirt reports no link speed for " + out.name + (state.empty() ? "" : " (link " + state + ")"));
  } else if (const std::optional<uint64_t> mbps = parse_unsigned(speed); !mbps) {
    throw Error(origin + ": link speed '" + quote_input(speed) + "' of " + out.name + " is not a whole number of Mbit/s",
                "check the host's libvirt node devices");
  } else if (*mbps == 0) {
    out.speed_mbps = Fact<uint64_t>::unknown("libvirt reports a link speed of 0 for " + out.name);
  } else if (*mbps == UINT32_MAX) {
    // libvirt (9.0) reads the kernel's "-1" (SPEED_UNKNOWN: a virtio NIC, a link
    // without a negotiated speed) as an unsigned int: 4294967295.
    out.speed_mbps = Fact<uint64_t>::unknown("libvirt reports a link speed of " + speed + " for " + out.name +
                                             ": the kernel's -1, no link speed reported");
  } else if (*mbps > UINT32_MAX) {
    throw Error(origin + ": link speed " + speed + " of " + out.name +
                    " is above what libvirt reads (an unsigned int of Mbit/s)",
                "check the host's libvirt node devices");
  } else {
    out.speed_mbps = *mbps;
  }
  return out;
}

}  // namespace preflight
