#pragma once
// `preflight collect`'s jobs: naming a host's CPU features and vendor for the
// reader of its facts file, and collecting every inventory host into a folder.
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
  unsigned jobs = 8;         // hosts collected at once
  std::string cpu_map_dir;   // for name_cpu_features
  // Called after each host, done or failed, from the worker threads (one call at a
  // time is not promised: the callee locks). May be empty.
  std::function<void(const std::string& host)> progress;
};

// Collects every host of `inv` in parallel. Returns the error of each host that
// failed (empty when all were written); the others are written all the same.
// Throws Error when the folder cannot be created.
std::vector<std::string> collect_all(const Inventory& inv, const CollectAllOptions& o);

}  // namespace preflight
