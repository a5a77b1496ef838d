#include "collect/host_source.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "collect/libcpuid_dump.hpp"
#include "collect/libvirt_cpudata.hpp"
#include "collect/libvirt_collector.hpp"
#include "collect/capabilities_xml.hpp"
#include "collect/domain_xml.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "core/xml_text.hpp"
#include "facts/cpu_xml.hpp"
#include "facts/facts_yaml.hpp"

namespace fs = std::filesystem;

namespace preflight {

namespace {

std::string first_element_name(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find('<', pos)) != std::string_view::npos) {
    const char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    if (next == '?' || next == '!') {  // declaration, comment, doctype
      ++pos;
      continue;
    }
    size_t end = pos + 1;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '>' &&
           text[end] != '/')
      ++end;
    return std::string(text.substr(pos + 1, end - pos - 1));
  }
  return {};
}

bool looks_like_xml(std::string_view text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  return b != std::string_view::npos && text[b] == '<';
}

// A host that only a CPU description tells about: everything else is unknown, with why.
HostFacts cpu_only_host(const std::string& name, const std::string& origin, const std::string& reason) {
  HostFacts h;
  h.name = name;
  h.source = origin;
  const auto unknown_str = Fact<std::string>::unknown(reason);
  const auto unknown_bool = Fact<bool>::unknown(reason);
  h.hostname = unknown_str;
  h.host_uuid = unknown_str;
  h.cpu.vendor = h.cpu.codename = h.cpu.brand = h.cpu.microcode = unknown_str;
  h.cpu.family = h.cpu.model = h.cpu.stepping = h.cpu.cpuid_cpus_read = Fact<uint32_t>::unknown(reason);
  h.cpu.cpuid = Fact<std::vector<CpuidLeaf>>::unknown(reason);
  h.cpu.msrs = Fact<std::vector<MsrValue>>::unknown(reason);
  h.cpu.features = h.cpu.kernel_flags = Fact<std::vector<std::string>>::unknown(reason);
  h.cpu.libvirt_cpu = h.cpu.host_model = Fact<CpuDefinition>::unknown(reason);
  h.firmware.virtualization = h.firmware.nx = h.firmware.aes = h.firmware.x2apic = h.firmware.sgx =
      h.firmware.smt = h.firmware.iommu = unknown_bool;
  h.firmware.tsx = unknown_str;
  h.firmware.vulnerabilities = Fact<std::map<std::string, std::string>>::unknown(reason);
  h.memory.total_kib = h.memory.free_kib = Fact<uint64_t>::unknown(reason);
  h.memory.hugepages = Fact<std::vector<HugepagePool>>::unknown(reason);
  h.offers = Fact<std::vector<GuestOffer>>::unknown(reason);
  h.networks = Fact<std::vector<NetworkFacts>>::unknown(reason);
  h.bridges = Fact<std::vector<BridgeFacts>>::unknown(reason);
  h.pools = Fact<std::vector<PoolFacts>>::unknown(reason);
  h.mounts = Fact<std::vector<MountFacts>>::unknown(reason);
  h.vms = Fact<std::vector<VmFacts>>::unknown(reason);
  return h;
}

std::vector<HostFacts> hosts_from_cpu_xml(const std::string& text, const std::string& path) {
  const pugi::xml_document doc =
      parse_xml(text, path, "give a file of <cpu> elements", pugi::parse_default | pugi::parse_fragment);
  std::vector<pugi::xml_node> cpus;
  for (auto n : doc.children()) {
    if (n.type() != pugi::node_element) continue;
    // All <cpu>, or not a CPU file: never half-read.
    if (std::string_view(n.name()) != "cpu")
      throw Error(fmt::format("{}: <{}> beside <cpu>: a CPU file holds only top-level <cpu> elements", path,
                              quote_input(n.name())),
                  "give a file of <cpu> elements only (virsh capabilities, domcapabilities or dumpxml for the rest)");
    cpus.push_back(n);
  }
  const std::string base = fs::path(path).stem().string();
  std::vector<HostFacts> out;
  for (size_t i = 0; i < cpus.size(); ++i) {
    const std::string name = cpus.size() == 1 ? base : fmt::format("{}#{}", base, i + 1);
    HostFacts h = cpu_only_host(name, path, fmt::format("{} describes only a CPU", path));
    h.cpu.libvirt_cpu = parse_cpu_element(cpus[i], name == base ? path : fmt::format("{} (CPU {})", path, i + 1));
    out.push_back(std::move(h));
  }
  return out;
}

// Facts the local collector reads best (raw CPUID, firmware) taken from a facts file
// into live libvirt facts of the same host.
void merge_machine_facts(HostFacts& live, const HostFacts& file) {
  const CpuDefinition* libvirt_cpu = live.cpu.libvirt_cpu.get();
  const CpuDefinition* host_model = live.cpu.host_model.get();
  CpuFacts cpu = file.cpu;
  if (!cpu.libvirt_cpu.known() && libvirt_cpu) cpu.libvirt_cpu = *libvirt_cpu;
  if (!cpu.host_model.known() && host_model) cpu.host_model = *host_model;
  live.cpu = std::move(cpu);
  live.firmware = file.firmware;
}

}  // namespace

InputKind detect_input_kind(std::string_view text, const std::string& origin) {
  if (looks_like_xml(text)) {
    const std::string root = first_element_name(text);
    if (root == "capabilities") return InputKind::capabilities_xml;
    if (root == "domainCapabilities") return InputKind::domcaps_xml;
    if (root == "domain") return InputKind::domain_xml;
    if (root == "cpu") return InputKind::cpu_xml;
    if (root == "cpudata") return InputKind::libvirt_cpudata;
    throw Error(fmt::format("{}: XML with root element <{}> is not a host or CPU description", origin, quote_input(root)),
                "give a facts YAML, capabilities or domain capabilities XML, <cpu> elements, domain XML, "
                "libvirt CPU data (<cpudata>) or a libcpuid raw dump");
  }
  if (looks_like_libcpuid_dump(text)) return InputKind::libcpuid_dump;
  if (text.find("schema_version") != std::string_view::npos) return InputKind::facts_yaml;
  throw Error(fmt::format("{}: not a file preflight can read", origin),
              "give a facts YAML (preflight collect), capabilities or domain capabilities XML, <cpu> elements, "
              "domain XML, libvirt CPU data (<cpudata>) or a libcpuid raw dump (cpuid_tool --save)");
}

std::vector<HostFacts> hosts_from_file(const std::string& path) {
  return hosts_from_text(read_file(path, "check the path"), path);
}

std::vector<HostFacts> hosts_from_text(const std::string& text, const std::string& path) {
  const std::string name = fs::path(path).stem().string();
  switch (detect_input_kind(text, path)) {
    case InputKind::facts_yaml: {
      // Named by its file, not by the hostname inside: machines cloned from one image
      // share a hostname (200 files of hosts called "vm" must stay 200 hosts).
      HostFacts h = facts_from_yaml(text, path);
      h.name = name;
      if (h.source.empty()) h.source = path;
      return {std::move(h)};
    }
    case InputKind::capabilities_xml: {
      HostFacts h = cpu_only_host(name, path, fmt::format("{} is a capabilities file", path));
      parse_capabilities_xml(text, path, h);
      return {std::move(h)};
    }
    case InputKind::domcaps_xml: {
      HostFacts h = cpu_only_host(name, path, fmt::format("{} is a domain capabilities file", path));
      parse_domcaps_xml(text, path, h);
      if (!h.cpu.libvirt_cpu.known() && h.cpu.host_model.known()) h.cpu.libvirt_cpu = h.cpu.host_model;
      return {std::move(h)};
    }
    case InputKind::domain_xml: {
      const VmFacts vm = parse_domain_xml(text, path);
      if (!vm.has_cpu) throw Error(fmt::format("{}: the domain '{}' has no <cpu> element", path, vm.name));
      HostFacts h = cpu_only_host(name, path, fmt::format("{} is a domain XML; only its CPU is used", path));
      h.cpu.libvirt_cpu = vm.cpu;
      return {std::move(h)};
    }
    case InputKind::cpu_xml:
      return hosts_from_cpu_xml(text, path);
    case InputKind::libcpuid_dump: {
      HostFacts h = cpu_only_host(name, path, fmt::format("{} is a raw CPUID dump", path));
      h.cpu = cpu_facts_from_libcpuid_dump(text, path);
      return {std::move(h)};
    }
    case InputKind::libvirt_cpudata: {
      HostFacts h = cpu_only_host(name, path, fmt::format("{} is libvirt CPU data", path));
      h.cpu = cpu_facts_from_libvirt_cpudata(text, path);
      return {std::move(h)};
    }
  }
  throw Error(path + ": unreadable input");
}

std::vector<std::string> file_host_names(const std::vector<std::string>& paths) {
  // Each path as its folders then its stem, innermost last; depth[i] of them name it.
  std::vector<std::vector<std::string>> parts;
  std::vector<std::string> normal;
  for (const auto& p : paths) {
    const fs::path q = fs::path(p).lexically_normal();
    std::vector<std::string> comps;
    for (const auto& c : q.parent_path().relative_path())
      if (!c.empty() && c != ".") comps.push_back(c.string());
    comps.push_back(q.stem().string());
    parts.push_back(std::move(comps));
    normal.push_back(q.string());
  }
  std::vector<size_t> depth(paths.size(), 1);
  auto name = [&](size_t i) {
    const auto& c = parts[i];
    std::string s;
    for (size_t k = c.size() - depth[i]; k < c.size(); ++k) s += (s.empty() ? "" : "/") + c[k];
    return s;
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::map<std::string, std::vector<size_t>> by_name;
    for (size_t i = 0; i < paths.size(); ++i) by_name[name(i)].push_back(i);
    for (const auto& [n, group] : by_name) {
      const std::string& first = normal[group[0]];  // (clang 14 cannot capture a structured binding)
      const bool one_file = std::all_of(group.begin(), group.end(), [&](size_t i) { return normal[i] == first; });
      if (one_file) continue;
      for (size_t i : group)
        if (depth[i] < parts[i].size()) ++depth[i], changed = true;
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < paths.size(); ++i) out.push_back(name(i));
  return out;
}

void name_file_hosts_apart(const std::vector<std::string>& args, const Inventory* inv,
                           std::vector<std::vector<HostFacts>>& per_arg) {
  std::vector<std::string> files;
  std::vector<size_t> slot;
  for (size_t i = 0; i < args.size(); ++i) {
    if (inv && inv->find(args[i])) continue;
    files.push_back(args[i]);
    slot.push_back(i);
  }
  const std::vector<std::string> names = file_host_names(files);
  for (size_t k = 0; k < files.size(); ++k) {
    const std::string stem = fs::path(files[k]).stem().string();
    for (HostFacts& h : per_arg[slot[k]])
      if (h.name.rfind(stem, 0) == 0) h.name = names[k] + h.name.substr(stem.size());  // keeps "#N"
  }
}

HostFacts collect_inventory_host(const InventoryHost& host) {
  HostFacts facts;
  if (!host.libvirt.empty()) {
    facts = collect_libvirt(host.libvirt);
    if (!host.facts.empty()) merge_machine_facts(facts, load_facts_file(host.facts));
  } else if (!host.facts.empty()) {
    facts = load_facts_file(host.facts);
  } else {
    facts = cpu_only_host(host.name, host.cpu, fmt::format("host '{}' is described only by its CPU file", host.name));
  }
  if (!host.cpu.empty()) {
    std::vector<HostFacts> cpus = hosts_from_file(host.cpu);
    if (cpus.size() != 1) {
      throw Error(fmt::format("{}: host '{}' needs exactly one CPU in its cpu file, found {}", host.cpu, host.name,
                              cpus.size()));
    }
    HostFacts& given = cpus.front();
    // The CPU file is the trusted description: it replaces what the source reported,
    // the offers' host-model CPUs included (cpu.features judges against it).
    CpuFacts cpu = given.cpu;
    if (!cpu.host_model.known() && cpu.libvirt_cpu.known()) cpu.host_model = cpu.libvirt_cpu;
    cpu.stated_by = "the inventory's cpu: " + host.cpu;
    facts.cpu = std::move(cpu);
  }
  facts.name = host.name;
  if (!host.pool.empty()) facts.pool_membership = host.pool;
  if (!host.migration.empty()) facts.migration_address = host.migration;
  return facts;
}

bool may_define_vm(const InventoryHost& host, std::string_view vm) {
  if (!host.libvirt.empty() || host.facts.empty() || vm.empty()) return true;
  // A name of printable ASCII without space, quote or backslash is written as itself
  // in every YAML style (plain, single- or double-quoted); any other may be escaped
  // or folded.
  const bool verbatim = std::all_of(vm.begin(), vm.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'';
  });
  if (!verbatim) return true;
  std::string text;
  try {
    text = read_file(host.facts);
  } catch (const std::exception&) {
    return true;
  }
  // An escape (\x65) or a line continuation could spell the name otherwise.
  if (text.find('\\') != std::string::npos) return true;
  // The name as a whole scalar: not part of a longer word (web1 in web1-h42). A
  // YAML scalar starts after a space, quote, bracket, brace, comma, colon or line
  // start, and ends before a line end, space, quote, comma, bracket, brace, colon or
  // '#'; a stricter test than that could miss a way of writing the name.
  const auto opens = [](char c) { return std::string_view(" \t\n\"'[{,:").find(c) != std::string_view::npos; };
  const auto closes = [](char c) { return std::string_view(" \t\r\n\"',]}:#").find(c) != std::string_view::npos; };
  for (size_t at = text.find(vm); at != std::string::npos; at = text.find(vm, at + 1)) {
    const size_t end = at + vm.size();
    if ((at == 0 || opens(text[at - 1])) && (end == text.size() || closes(text[end]))) return true;
  }
  return false;
}

std::vector<HostFacts> load_host_argument(const std::string& arg, const Inventory* inv) {
  if (inv) {
    if (const InventoryHost* h = inv->find(arg)) return {collect_inventory_host(*h)};
  }
  // Anything at that path -- a symlink loop or a FIFO too -- is read as a file, which refuses it by name.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(arg, ec))) return hosts_from_file(arg);
  if (inv) {
    throw Error(fmt::format("{}: no such host in {} and no such file{}", arg, inv->path, did_you_mean(arg, inv->names())),
                "known hosts: " + join(inv->names(), ", "));
  }
  throw Error(fmt::format("{}: no such file, and no inventory to look the name up in", arg),
              "give a file path, or an inventory with --inventory (or ./preflight.yaml)");
}

}  // namespace preflight
