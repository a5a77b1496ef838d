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

// The names of the hosts read from the files `paths`: each file's name without its
// extension (as hosts_from_file names them), or, where different files share that
// name (facts.yaml in a folder per machine), the shortest tail of the path that
// tells them apart ("web01/facts"). One file given twice keeps one name.
std::vector<std::string> file_host_names(const std::vector<std::string>& paths);

// Renames the hosts of every file argument (an argument that is not a host of
// `inv`) to its file_host_names name, keeping a "#N" suffix, so that hosts of
// different files never share a name. per_arg[i] holds what args[i] gave.
void name_file_hosts_apart(const std::vector<std::string>& args, const Inventory* inv,
                           std::vector<std::vector<HostFacts>>& per_arg);

// Facts of one inventory host, collected now (libvirt read-only), then facts file,
// then the cpu file replacing the CPU. Throws Error naming the host and URI/file.
HostFacts collect_inventory_host(const InventoryHost& host);

// False when `host` certainly does not define a VM named `vm`: a host known only
// by its facts file whose text does not contain the name as a whole word (read,
// not parsed, so a 10,000-host inventory is searched without parsing every file).
// True otherwise, and whenever the text cannot tell: a live host, a name with a
// space (YAML may fold it across lines) or a character YAML may escape, a file with
// any backslash (an escape could spell the name), a file that cannot be read
// (collecting it then reports why).
bool may_define_vm(const InventoryHost& host, std::string_view vm);

// An inventory name when `inv` has it, else a path. Throws Error when neither.
std::vector<HostFacts> load_host_argument(const std::string& arg, const Inventory* inv);

}  // namespace preflight
