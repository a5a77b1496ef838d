// Network checks: networks present by exact name (R20), uplink (R21), the
// migration link (R22), same L2 segment (R23).
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/number.hpp"
#include "rules/checks.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

const NetworkFacts* find_network(const std::vector<NetworkFacts>& nets, const std::string& name) {
  for (const auto& n : nets)
    if (n.name == name) return &n;
  return nullptr;
}

const BridgeFacts* find_bridge(const std::vector<BridgeFacts>& bridges, const std::string& name) {
  for (const auto& b : bridges)
    if (b.name == name) return &b;
  return nullptr;
}

template <class T>
std::string case_twin(const std::vector<T>& items, const std::string& name) {
  for (const auto& i : items)
    if (i.name != name && i.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), i.name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return i.name;
  return "";
}

// "10.0.0.7/24" -> "10.0.0.0/24"; "" when not a CIDR.
std::string network_of(const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return "";
  const std::string addr = cidr.substr(0, slash);
  const auto parsed = parse_unsigned(std::string_view(cidr).substr(slash + 1), 128);
  if (!parsed) return "";
  const int prefix = static_cast<int>(*parsed);
  unsigned char bytes[16] = {};
  const bool v6 = addr.find(':') != std::string::npos;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), bytes) != 1) return "";
  const int bits = v6 ? 128 : 32;
  if (prefix < 0 || prefix > bits) return "";
  for (int i = prefix; i < bits; ++i) bytes[i / 8] &= static_cast<unsigned char>(~(0x80 >> (i % 8)));
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

std::vector<std::string> networks_of(const std::vector<std::string>& cidrs) {
  std::vector<std::string> out;
  for (const auto& c : cidrs)
    if (auto n = network_of(c); !n.empty()) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

// A network's own subnets; a network that only forwards onto a host bridge
// (forward mode 'bridge', no <ip>) is in that bridge's segment.
std::vector<std::string> segment_subnets(const NetworkFacts& n, const HostFacts& host) {
  if (!n.subnets.empty() || n.forward_mode != "bridge" || n.bridge.empty() || !host.bridges.known()) return n.subnets;
  const BridgeFacts* b = find_bridge(host.bridges.value(), n.bridge);
  return b ? b->subnets : n.subnets;
}

}  // namespace

CheckResult network_present(const CheckContext& c, const json&) {
  if (c.vm.interfaces.empty()) return CheckResult::skip("VM " + c.vm.name + " has no network interfaces");
  std::vector<std::string> missing, found;
  std::vector<Subject> lacking;
  for (const auto& i : c.vm.interfaces) {
    if (i.type == "network") {
      if (!c.destination.networks.known())
        return CheckResult::unknown(c.destination, "networks", c.destination.networks.reason());
      const auto& nets = c.destination.networks.value();
      const NetworkFacts* n = find_network(nets, i.network);
      if (!n) {
        const std::string twin = case_twin(nets, i.network);
        missing.push_back("network '" + i.network + "'" +
                          (twin.empty() ? "" : " (" + c.destination.name + " has '" + twin + "': names are case-sensitive)"));
        add_subject(lacking, {Subject::Kind::network, i.network});
        continue;
      }
      if (!i.portgroup.empty()) {
        auto pg = std::find_if(n->portgroups.begin(), n->portgroups.end(), [&](const PortGroup& p) { return p.name == i.portgroup; });
        if (pg == n->portgroups.end()) {
          const std::string twin = case_twin(n->portgroups, i.portgroup);
          missing.push_back("port group '" + i.portgroup + "' of network '" + i.network + "'" +
                            (twin.empty() ? "" : " (" + c.destination.name + " has '" + twin + "': names are case-sensitive)"));
          add_subject(lacking, {Subject::Kind::network, i.network});
          continue;
        }
      }
      found.push_back("network '" + i.network + "'" + (i.portgroup.empty() ? "" : " port group '" + i.portgroup + "'"));
    } else if (i.type == "bridge") {
      if (!c.destination.bridges.known())
        return CheckResult::unknown(c.destination, "bridges", c.destination.bridges.reason());
      const auto& bridges = c.destination.bridges.value();
      if (!find_bridge(bridges, i.bridge)) {
        const std::string twin = case_twin(bridges, i.bridge);
        missing.push_back("bridge '" + i.bridge + "'" +
                          (twin.empty() ? "" : " (" + c.destination.name + " has '" + twin + "': names are case-sensitive)"));
        add_subject(lacking, {Subject::Kind::bridge, i.bridge});
        continue;
      }
      found.push_back("bridge '" + i.bridge + "'");
    }
  }
  json ev = {{"present", found}};
  if (missing.empty()) {
    if (found.empty()) return CheckResult::skip("no interface attaches to a libvirt network or a bridge");
    return CheckResult::pass("every network and bridge exists on " + c.destination.name, ev);
  }
  ev["missing"] = missing;
  return CheckResult::fire(ev).about(lacking);
}

CheckResult network_uplink(const CheckContext& c, const json&) {
  std::vector<std::string> isolated, ok;
  std::vector<Subject> cut_off;
  for (const auto& i : c.vm.interfaces) {
    std::string bridge_name;
    if (i.type == "network") {
      if (!c.destination.networks.known())
        return CheckResult::unknown(c.destination, "networks", c.destination.networks.reason());
      const NetworkFacts* n = find_network(c.destination.networks.value(), i.network);
      if (!n) continue;  // network.present reports it
      if (n->forward_mode.empty()) {
        isolated.push_back("network '" + n->name + "' (no forward mode: isolated)");
        add_subject(cut_off, {Subject::Kind::network, n->name});
        continue;
      }
      if (n->forward_mode != "bridge" || n->bridge.empty()) {
        ok.push_back("network '" + n->name + "' (forward " + n->forward_mode + ")");
        continue;
      }
      bridge_name = n->bridge;
    } else if (i.type == "bridge") {
      bridge_name = i.bridge;
    } else {
      continue;
    }
    if (!c.destination.bridges.known())
      return CheckResult::unknown(c.destination, "bridges", c.destination.bridges.reason());
    const BridgeFacts* b = find_bridge(c.destination.bridges.value(), bridge_name);
    if (!b) continue;  // network.present reports it
    bool physical = false, unknown = false;
    std::string reason;
    for (const auto& m : b->members) {
      if (!m.physical.known()) unknown = true, reason = m.name + ": " + m.physical.reason();
      else physical |= m.physical.value();
    }
    if (physical) ok.push_back("bridge '" + b->name + "'");
    else if (unknown) return CheckResult::unknown(c.destination, "whether bridge " + b->name + "'s members are physical", reason);
    else {
      isolated.push_back("bridge '" + b->name + "' (no physical member)");
      // The VM's network forwarding onto the bridge is cut off with it.
      if (i.type == "network") add_subject(cut_off, {Subject::Kind::network, i.network});
      add_subject(cut_off, {Subject::Kind::bridge, b->name});
    }
  }
  if (isolated.empty()) {
    if (ok.empty()) return CheckResult::skip("no interface attaches to a network or bridge present on " + c.destination.name);
    return CheckResult::pass("every network has an uplink on " + c.destination.name, {{"uplinked", ok}});
  }
  return CheckResult::fire({{"isolated", isolated}, {"uplinked", ok}}).about(cut_off);
}

CheckResult migration_link(const CheckContext& c, const json& params) {
  const std::string* addr = c.destination.migration_address.get();
  if (!addr || addr->empty())
    return CheckResult::skip("no migration address is configured for " + c.destination.name +
                             " (set `migration:` for the host in the inventory)");
  if (!c.link) return CheckResult::unknown(c.destination, "reachability of migration address " + *addr, "the link was not probed");
  json ev = {{"address", c.link->address}, {"reachable", c.link->reachable}};
  if (!c.link->reachable) {
    ev["error"] = c.link->error;
    return CheckResult::fire(ev, "unreachable", Severity::block).about({{Subject::Kind::host, c.destination.name}});
  }
  ev["connect_ms"] = c.link->connect_ms;
  const double slow_ms = param_number(params, "slow_connect_ms", 50.0);
  if (c.link->connect_ms > slow_ms) {
    ev["slow_connect_ms"] = slow_ms;
    return CheckResult::fire(ev, "slow", Severity::warn).about({{Subject::Kind::host, c.destination.name}});
  }
  return CheckResult::pass("connected to " + c.link->address + " from here", ev);
}

CheckResult same_segment(const CheckContext& c, const json&) {
  std::vector<std::string> differ, same;
  std::vector<Subject> differing;
  for (const auto& i : c.vm.interfaces) {
    std::vector<std::string> a, b;
    std::string what;
    Subject subject;
    if (i.type == "network") {
      if (!c.source.networks.known() || !c.destination.networks.known()) continue;
      const auto* sn = find_network(c.source.networks.value(), i.network);
      const auto* dn = find_network(c.destination.networks.value(), i.network);
      if (!sn || !dn) continue;
      a = networks_of(segment_subnets(*sn, c.source)), b = networks_of(segment_subnets(*dn, c.destination));
      what = "network '" + i.network + "'", subject = {Subject::Kind::network, i.network};
    } else if (i.type == "bridge") {
      if (!c.source.bridges.known() || !c.destination.bridges.known()) continue;
      const auto* sb = find_bridge(c.source.bridges.value(), i.bridge);
      const auto* db = find_bridge(c.destination.bridges.value(), i.bridge);
      if (!sb || !db) continue;
      a = networks_of(sb->subnets), b = networks_of(db->subnets), what = "bridge '" + i.bridge + "'";
      subject = {Subject::Kind::bridge, i.bridge};
    } else {
      continue;
    }
    if (a.empty() || b.empty()) continue;
    if (a == b) {
      same.push_back(what);
      continue;
    }
    differ.push_back(what + ": " + c.source.name + " " + fill_template("{x}", {{"x", a}}) + ", " +
                     c.destination.name + " " + fill_template("{x}", {{"x", b}}));
    add_subject(differing, subject);
  }
  if (!differ.empty()) return CheckResult::fire({{"differ", differ}, {"same", same}}).about(differing);
  if (same.empty()) return CheckResult::skip("no subnet known on both hosts for the VM's networks");
  return CheckResult::pass("same subnets on both hosts", {{"same", same}});
}

}  // namespace preflight::checks
