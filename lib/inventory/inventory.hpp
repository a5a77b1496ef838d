#pragma once
// The inventory file (README "Inventory"): named hosts, where their facts come
// from, and the policy file. Relative paths -- also the path of a test: URI --
// are resolved against the inventory file's folder at load time.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace preflight {

struct InventoryHost {
  std::string name;
  std::string libvirt;    // libvirt URI, test:/// paths made absolute; empty when none
  std::string cpu;        // absolute path of a CPU file (any CPU input format); empty when none
  std::string facts;      // absolute path of a facts YAML; empty when none
  std::string pool;       // cluster / server pool name; empty when none
  std::string migration;  // migration address "host[:port]"; empty when none
  // The libvirt URI by which another host's libvirtd reaches this one for a peer
  // to peer move (e.g. qemu+tcp://10.0.0.2/system); empty: use `libvirt`.
  std::string migrate_uri;
  // Speed of the host's migration network in Gbit/s, as the operator states it
  // (`link_gbit:`); no collector reads it. Empty: unknown.
  std::optional<double> link_gbit;
  int line = 0;           // line of the host's entry in the inventory file
};

struct Inventory {
  std::string path;  // absolute path of the file read
  std::vector<InventoryHost> hosts;  // in file order
  std::string policy;  // absolute path; empty when none

  // Host name -> index into hosts, filled by load_inventory so that looking up every
  // host of a 10,000-host fleet is not quadratic. find() answers from it when it
  // has the name at a position that still holds it, and scans `hosts` otherwise
  // (hosts added, renamed or replaced by hand): a hit costs no scan.
  std::unordered_map<std::string, size_t> index;

  const InventoryHost* find(const std::string& name) const;  // nullptr when absent
  std::vector<std::string> names() const;
};

// Throws Error "<file>:<line>:<col>: ..." for malformed YAML, unknown keys, a host
// with no libvirt/facts/cpu source, or a missing file.
// Reads with the fast YAML subset reader (core/yaml_subset.hpp) and, when the text
// is outside the subset, with yaml-cpp: the same inventory and the same errors.
Inventory load_inventory(const std::string& path);

// The two readers behind load_inventory, for tests. `path` names the file in
// messages and is the base of relative paths. The subset reader returns nullopt
// when the text is outside the subset.
std::optional<Inventory> inventory_from_yaml_subset(const std::string& text, const std::string& path);
Inventory inventory_from_yaml_cpp(const std::string& text, const std::string& path);

// ./preflight.yaml, then $XDG_CONFIG_HOME/preflight/inventory.yaml (XDG default
// ~/.config); nullopt when neither exists.
std::optional<std::string> default_inventory_path();

// Makes `path` absolute against `base_dir` unless it already is. test:/// URIs
// (test:///default excepted) get the same treatment for their path.
std::string resolve_path(const std::string& path, const std::string& base_dir);
std::string resolve_libvirt_uri(const std::string& uri, const std::string& base_dir);

}  // namespace preflight
