#pragma once
// Turning a HOST argument into HostFacts: an inventory name (collected live from
// its libvirt URI, read from its facts file, CPU overridden by its cpu file), or a
// path to a file of any supported kind, detected by content.
#include <string>
#include <string_view>
#include <vector>

#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"

namespace preflight {

enum class InputKind {
  facts_yaml,        // preflight collect output
  capabilities_xml,  // virsh capabilities
  domcaps_xml,       // virsh domcapabilities
  cpu_xml,           // one or more <cpu> elements (virsh cpu-baseline input)
  domain_xml,        // a domain: its guest CPU
  libcpuid_dump,     // cpuid_tool --save raw dump
  libvirt_cpudata,   // libvirt's raw CPU data XML (<cpudata>, tests/cputestdata)
};

// Throws Error naming `origin` when the content is none of the kinds.
InputKind detect_input_kind(std::string_view text, const std::string& origin);

// Every host a file describes (a CPU file may hold several <cpu> elements).
// Each host is named after the file (plus "#N" when there are several).
std::vector<HostFacts> hosts_from_file(const std::string& path);
// The same for text already read (standard input): `origin` names it in errors and
// names the hosts as a path would ("stdin" names them stdin, stdin#2, ...).
std::vector<HostFacts> hosts_from_text(const std::string& text, const std::string& origin);

// Facts of one inventory host, collected now (libvirt read-only), then facts file,
// then the cpu file replacing the CPU. Throws Error naming the host and URI/file.
HostFacts collect_inventory_host(const InventoryHost& host);

// An inventory name when `inv` has it, else a path. Throws Error when neither.
std::vector<HostFacts> load_host_argument(const std::string& arg, const Inventory* inv);

}  // namespace preflight
