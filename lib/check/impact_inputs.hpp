#pragma once
// The worlds `preflight drift` and `preflight whatif` compare: the facts of a
// fleet before and after a change, read from facts files, folders of them (as
// `collect --all -w DIR` writes them) or the inventory.
#include <string>
#include <vector>

#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"

namespace preflight {

// A facts YAML file (one host, named by the `name:` inside it) or a folder of them
// (every *.yaml directly in it, each host named by its file, as collect --all
// names them). Throws Error naming the file that cannot be read, or a folder with
// no facts file.
std::vector<HostFacts> load_facts_world(const std::string& path);

// Every host of `inv`, collected now (facts files read, test: URIs served by
// libvirt's test driver), each with its inventory pool. Throws Error naming every
// host that could not be read.
std::vector<HostFacts> load_inventory_world(const Inventory& inv);

// `world` with `changed` put in place of the hosts of the same name, and the hosts
// of `changed` not in `world` added at the end.
std::vector<HostFacts> replace_hosts(std::vector<HostFacts> world, const std::vector<HostFacts>& changed);

}  // namespace preflight
