#include "collect/capabilities_xml.hpp"

#include <algorithm>
#include <map>

#include "collect/libvirt_xml.hpp"
#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"
#include "facts/cpu_xml.hpp"

namespace preflight {

namespace {

using xml::attr;
using xml::text;

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

void add_to_fact(Fact<std::vector<std::string>>& fact, const std::string& item) {
  if (item.empty()) return;
  if (!fact.known()) fact = std::vector<std::string>{};
  add_unique(fact.value(), item);
}

constexpr uint64_t kMaxTopologyCount = 65535;  // sockets, dies, cores or threads in one capabilities file

// A whole number in [0, max], else an Error naming the file, the element and the value.
uint32_t uint_attr(const pugi::xml_node& n, const char* name, uint64_t max, const std::string& origin) {
  return static_cast<uint32_t>(require_unsigned(n.attribute(name).as_string(), max, origin,
                                                fmt::format("<{} {}='...'>", n.name(), name), "fix the capabilities XML"));
}

// Compresses sorted CPU ids to kernel cpulist syntax: 0-3,8,10-11.
std::string cpulist(std::vector<uint32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(ids[i]);
    if (j > i) out += "-" + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

void parse_topology(const pugi::xml_node& host, HostFacts& into, const std::string& origin) {
  if (auto t = host.child("cpu").child("topology")) {
    const uint32_t dies = t.attribute("dies") ? uint_attr(t, "dies", kMaxTopologyCount, origin) : 1;
    into.topology.sockets = uint_attr(t, "sockets", kMaxTopologyCount, origin);
    into.topology.cores_per_socket = dies * uint_attr(t, "cores", kMaxTopologyCount, origin);  // below 2^32
    into.topology.threads_per_core = uint_attr(t, "threads", kMaxTopologyCount, origin);
  }
  const auto cells = host.child("topology").child("cells");
  if (!cells) return;
  std::vector<uint32_t> ids;
  uint32_t count = 0;
  for (auto cell : cells.children("cell")) {
    ++count;
    for (auto cpu : cell.child("cpus").children("cpu")) ids.push_back(uint_attr(cpu, "id", kMaxCpuId, origin));
  }
  if (count > 0) into.topology.numa_nodes = count;
  if (!ids.empty()) {
    into.topology.online = cpulist(ids);
    into.topology.cpus = static_cast<uint32_t>(ids.size());
  }
}

}  // namespace

void parse_capabilities_xml(std::string_view xml_text, const std::string& origin, HostFacts& into) {
  const auto doc = xml::load(xml_text, origin);
  const auto caps = xml::root(doc, "capabilities", origin);
  const auto host = caps.child("host");
  const std::string uuid = text(host.child("uuid"));
  into.host_uuid = uuid.empty() ? Fact<std::string>::unknown("capabilities report no host UUID") : Fact(uuid);
  const auto cpu = host.child("cpu");
  const std::string arch = text(cpu.child("arch"));
  check_x86_arch(arch, origin);
  into.arch = arch.empty() ? Fact<std::string>::unknown("capabilities report no host arch") : Fact(arch);
  if (cpu.child("model")) {
    into.cpu.libvirt_cpu = parse_cpu_element(cpu, origin);
  } else {
    into.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown("libvirt capabilities name no host CPU model");
  }
  parse_topology(host, into, origin);
  if (auto iommu = host.child("iommu")) into.firmware.iommu = attr(iommu, "support") == "yes";

  std::vector<std::string> machines, emulators;
  bool found = false;
  for (auto guest : caps.children("guest")) {
    const auto a = guest.child("arch");
    if (text(guest.child("os_type")) != "hvm" || attr(a, "name") != "x86_64") continue;
    found = true;
    add_unique(emulators, text(a.child("emulator")));
    const auto add_machines = [&](const pugi::xml_node& parent) {
      for (auto m : parent.children("machine")) {
        add_unique(machines, text(m));
        add_unique(machines, attr(m, "canonical"));
      }
    };
    add_machines(a);
    for (auto d : a.children("domain")) {
      add_unique(emulators, text(d.child("emulator")));
      add_machines(d);
    }
  }
  const std::string none = "capabilities list no x86_64 hvm guest";
  into.hypervisor.emulators = found ? Fact(emulators) : Fact<std::vector<std::string>>::unknown(none);
  if (!found) {
    into.hypervisor.machine_types = Fact<std::vector<std::string>>::unknown(none);
  } else if (machines.empty()) {
    into.hypervisor.machine_types = Fact<std::vector<std::string>>::unknown("capabilities list no x86_64 machine type");
  } else {
    into.hypervisor.machine_types = machines;
  }
}

std::vector<HugepagePool> capabilities_hugepages(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto host = xml::root(doc, "capabilities", origin).child("host");
  std::map<uint64_t, uint64_t> totals;
  uint64_t base = 0;
  for (auto p : host.child("cpu").children("pages")) {
    const uint64_t kib = xml::scaled_bytes(attr(p, "size"), attr(p, "unit"), 1024, "<pages size>", origin) / 1024;
    if (base == 0 || kib < base) base = kib;
  }
  bool counted = false;
  for (auto cell : host.child("topology").child("cells").children("cell")) {
    for (auto p : cell.children("pages")) {
      const uint64_t kib = xml::scaled_bytes(attr(p, "size"), attr(p, "unit"), 1024, "<pages size>", origin) / 1024;
      if (kib == base) continue;
      totals[kib] += xml::scaled_bytes(text(p), "", 1, "<cell><pages> count", origin);
      counted = true;
    }
  }
  std::vector<HugepagePool> out;
  if (!counted) return out;
  for (const auto& [size, total] : totals) out.push_back({size, total, 0});
  return out;
}

std::vector<std::string> capabilities_domain_types(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  std::vector<std::string> types;
  for (auto guest : xml::root(doc, "capabilities", origin).children("guest")) {
    const auto a = guest.child("arch");
    if (text(guest.child("os_type")) != "hvm" || attr(a, "name") != "x86_64") continue;
    for (auto d : a.children("domain")) add_unique(types, attr(d, "type"));
  }
  return types;
}

namespace {

bool mode_supported(const pugi::xml_node& cpu, const char* name) {
  for (auto mode : cpu.children("mode"))
    if (attr(mode, "name") == name) return attr(mode, "supported") == "yes";
  return false;
}

std::vector<CpuModelOffer> custom_models(const pugi::xml_node& cpu, const std::string& origin) {
  std::vector<CpuModelOffer> out;
  pugi::xml_node custom;
  for (auto mode : cpu.children("mode"))
    if (attr(mode, "name") == "custom") custom = mode;
  for (auto m : custom.children("model")) out.push_back({text(m), attr(m, "usable"), attr(m, "vendor"), {}});
  // libvirt 9.0 names no blockers in domain capabilities; later versions add
  // <blockers model='X'><feature name='...'/></blockers>.
  for (auto b : custom.children("blockers")) {
    const std::string model = attr(b, "model");
    auto it = std::find_if(out.begin(), out.end(), [&](const CpuModelOffer& o) { return o.name == model; });
    if (it == out.end()) throw Error(origin + ": <blockers model='" + model + "'> names no listed model");
    for (auto f : b.children("feature")) it->blockers.push_back(attr(f, "name"));
  }
  return out;
}

}  // namespace

GuestOffer parse_guest_offer(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto caps = xml::root(doc, "domainCapabilities", origin);
  GuestOffer o;
  o.virt_type = text(caps.child("domain"));
  o.emulator = text(caps.child("path"));
  o.machine = text(caps.child("machine"));
  const std::string arch = text(caps.child("arch"));
  check_x86_arch(arch, origin);
  const auto cpu = caps.child("cpu");
  pugi::xml_node host_model;
  for (auto mode : cpu.children("mode"))
    if (attr(mode, "name") == "host-model") host_model = mode;
  if (host_model && attr(host_model, "supported") == "yes" && host_model.child("model")) {
    CpuDefinition def = parse_cpu_element(host_model, origin);
    if (def.arch.empty()) def.arch = arch;
    check_x86_arch(def.arch, origin);
    o.host_model = def;
  } else {
    o.host_model = Fact<CpuDefinition>::unknown(
        "domain capabilities" + (o.virt_type.empty() ? std::string() : " for " + o.virt_type + " guests") +
        ": host-model CPU not supported");
  }
  o.host_passthrough = mode_supported(cpu, "host-passthrough");
  o.maximum = mode_supported(cpu, "maximum");
  o.models = custom_models(cpu, origin);
  const auto loader = caps.child("os").child("loader");
  o.firmware_supported = attr(loader, "supported") == "yes";
  for (auto v : loader.children("value")) add_unique(o.loaders, text(v));
  return o;
}

void parse_domcaps_xml(std::string_view xml_text, const std::string& origin, HostFacts& into) {
  GuestOffer offer = parse_guest_offer(xml_text, origin);
  into.cpu.host_model = offer.host_model;
  into.hypervisor.firmware = offer.loaders;
  add_to_fact(into.hypervisor.machine_types, offer.machine);
  add_to_fact(into.hypervisor.emulators, offer.emulator);
  if (!into.offers.known()) into.offers = std::vector<GuestOffer>{};
  auto& offers = into.offers.value();
  std::erase_if(offers, [&](const GuestOffer& o) { return o.virt_type == offer.virt_type; });
  offers.push_back(std::move(offer));
}

}  // namespace preflight
