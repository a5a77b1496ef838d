#pragma once
// Whether a disk is on storage both hosts see: same pool source (NFS host+export,
// iSCSI portal+IQN, RBD pool, FC adapter, gluster volume) at the same target, a
// network disk, or the same network/cluster filesystem mounted at the same place.
// When nothing proves sharing the disk counts as not shared (a copy is the safe
// assumption) and `assumptions` says which facts were missing.
#include <optional>
#include <string>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

struct DiskSharing {
  bool shared = false;
  std::string how;  // why shared, or why not
  std::vector<std::string> assumptions;
};

// The path the disk's source has on `host` ("" for network disks and empty trays).
std::string disk_path(const DiskFacts& disk, const HostFacts& host);

// The pool of `host` holding the disk (by volume path, by target folder, or
// pool name for type='volume'); nullptr when none or pools are unknown.
const PoolFacts* pool_of(const DiskFacts& disk, const HostFacts& host);

// A pool of `host` whose target folder holds `path`; nullptr when none.
const PoolFacts* pool_holding(const std::string& path, const HostFacts& host);

bool same_pool_source(const PoolFacts& a, const PoolFacts& b);

DiskSharing disk_sharing(const DiskFacts& disk, const HostFacts& source, const HostFacts& destination);

// The disk's size in bytes: its own capacity, else its volume's; nullopt when unknown.
std::optional<uint64_t> disk_capacity(const DiskFacts& disk, const HostFacts& host);

// `path` lies inside folder `dir` (or is it).
bool path_under(const std::string& path, const std::string& dir);

}  // namespace preflight
