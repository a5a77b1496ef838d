#pragma once
// `preflight collect`'s jobs: naming a host's CPU features and vendor for the
// reader of its facts file, and collecting every inventory host into a folder.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"

namespace preflight {

// Names for the reader of a facts file what the collected facts only encode, from
// the cpu_map of `cpu_map_dir` (empty = libvirt's): facts.cpu.features from the raw
// CPUID, and an unknown facts.cpu.vendor from the vendor libvirt names (its CPUID
// string, x86_vendors.xml). Informational: analysis decodes the raw facts itself.
// Leaves known facts alone; a catalog that cannot be read makes the features
// unknown with the reason.
void name_cpu_features(HostFacts& facts, const std::string& cpu_map_dir);

struct CollectAllOptions {
  std::string dir;           // one <host>.yaml per inventory host is written here (created)
  unsigned jobs = 8;         // hosts collected at once (at least 1)
  // How long one host may take, from the start of its collection to its facts;
  // zero: no limit.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::string cpu_map_dir;   // for name_cpu_features
  // Called after each host, done or failed, on the calling thread. May be empty.
  std::function<void(const std::string& host)> progress;
};

// Collects every host of `inv`, `jobs` at a time, each in a child process of its
// own (fork, no exec): a host that does not answer within `timeout` -- a libvirt
// connection can block with no limit of its own -- has its process killed, so the
// run always ends and leaves nothing behind. A host's file is written only with
// its whole facts; a failed host's file is left as it was.
// Returns the error of each host that failed, in inventory order, each naming the
// host (empty when all were written); the others are written all the same.
// Throws Error when the folder cannot be created.
// Forks: call it while no other thread of the process is inside libvirt.
std::vector<std::string> collect_all(const Inventory& inv, const CollectAllOptions& o);

// One host collected the same way, in a child process that is killed when it takes
// longer than `timeout` (zero: no limit): the facts, or Error naming the host and,
// on a timeout, the source that did not answer. Forks, as collect_all.
HostFacts collect_with_timeout(const InventoryHost& host, std::chrono::milliseconds timeout,
                               const std::string& cpu_map_dir);

}  // namespace preflight
