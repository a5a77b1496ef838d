#include "rules/storage_sharing.hpp"

#include <algorithm>

namespace preflight {
namespace {

bool intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

const MountFacts* mount_of(const std::string& path, const std::vector<MountFacts>& mounts) {
  const MountFacts* best = nullptr;
  for (const auto& m : mounts)
    if (path_under(path, m.mountpoint) && (!best || m.mountpoint.size() > best->mountpoint.size())) best = &m;
  return best;
}

}  // namespace

bool path_under(const std::string& path, const std::string& dir) {
  if (dir.empty() || path.empty()) return false;
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (d == "/") return path.front() == '/';
  return path == d || (path.size() > d.size() && path.compare(0, d.size(), d) == 0 && path[d.size()] == '/');
}

std::string disk_path(const DiskFacts& disk, const HostFacts& host) {
  if (disk.type == "network") return "";
  if (disk.type == "volume") {
    if (const auto* pools = host.pools.get())
      for (const auto& p : *pools)
        if (p.name == disk.pool)
          for (const auto& v : p.volumes)
            if (v.name == disk.volume) return v.path;
    return "";
  }
  return disk.source;
}

const PoolFacts* pool_holding(const std::string& path, const HostFacts& host) {
  const auto* pools = host.pools.get();
  if (!pools || path.empty()) return nullptr;
  for (const auto& p : *pools)
    for (const auto& v : p.volumes)
      if (v.path == path) return &p;
  const PoolFacts* best = nullptr;
  for (const auto& p : *pools)
    if (path_under(path, p.target_path) && (!best || p.target_path.size() > best->target_path.size())) best = &p;
  return best;
}

const PoolFacts* pool_of(const DiskFacts& disk, const HostFacts& host) {
  if (disk.type == "volume") {
    if (const auto* pools = host.pools.get())
      for (const auto& p : *pools)
        if (p.name == disk.pool) return &p;
    return nullptr;
  }
  return pool_holding(disk_path(disk, host), host);
}

bool same_pool_source(const PoolFacts& a, const PoolFacts& b) {
  if (a.type != b.type) return false;
  const PoolSource &x = a.source, &y = b.source;
  if (a.type == "netfs" || a.type == "gluster")
    return intersects(x.hosts, y.hosts) && x.dir == y.dir && x.name == y.name;
  if (a.type == "iscsi" || a.type == "iscsi-direct")
    return intersects(x.hosts, y.hosts) && !x.devices.empty() && x.devices == y.devices;
  if (a.type == "rbd" || a.type == "sheepdog" || a.type == "vstorage")
    return !x.name.empty() && x.name == y.name && (x.hosts.empty() || y.hosts.empty() || intersects(x.hosts, y.hosts));
  if (a.type == "scsi") return !x.adapter.empty() && x.adapter == y.adapter;
  if (a.type == "logical") return !x.name.empty() && x.name == y.name && intersects(x.devices, y.devices);
  return false;  // dir, fs, disk, zfs, mpath: local unless a shared mount says otherwise
}

DiskSharing disk_sharing(const DiskFacts& disk, const HostFacts& source, const HostFacts& destination) {
  DiskSharing s;
  if (disk.type == "network") {
    s.shared = true;
    s.how = "network disk (" + disk.protocol + " " + disk.source + ") reached by QEMU from either host";
    return s;
  }
  if (!source.pools.known()) s.assumptions.push_back(source.name + ": pools unknown (" + source.pools.reason() + ")");
  if (!destination.pools.known())
    s.assumptions.push_back(destination.name + ": pools unknown (" + destination.pools.reason() + ")");
  const std::string path = disk_path(disk, source);
  if (const PoolFacts* sp = pool_of(disk, source); sp && destination.pools.known()) {
    for (const auto& dp : destination.pools.value()) {
      if (!same_pool_source(*sp, dp)) continue;
      const bool same_place = disk.type == "volume" ? dp.name == sp->name : dp.target_path == sp->target_path;
      if (!same_place) {
        s.how = "pool '" + dp.name + "' on " + destination.name + " has the same source as '" + sp->name +
                "' but " + (disk.type == "volume" ? "another name" : "another target (" + dp.target_path + ")");
        continue;
      }
      s.shared = true;
      s.how = "pool '" + sp->name + "' (" + sp->type + ") has the same source on both hosts";
      return s;
    }
  }
  const auto* sm = source.mounts.get();
  const auto* dm = destination.mounts.get();
  if (!sm) s.assumptions.push_back(source.name + ": mounts unknown (" + source.mounts.reason() + ")");
  if (!dm) s.assumptions.push_back(destination.name + ": mounts unknown (" + destination.mounts.reason() + ")");
  if (sm && dm && !path.empty()) {
    const MountFacts* a = mount_of(path, *sm);
    if (a && a->shared) {
      for (const auto& b : *dm) {
        if (b.mountpoint == a->mountpoint && b.shared && b.source == a->source && b.fstype == a->fstype) {
          s.shared = true;
          s.how = a->fstype + " " + a->source + " mounted at " + a->mountpoint + " on both hosts";
          return s;
        }
      }
    }
  }
  if (s.how.empty()) s.how = "no pool or network/cluster filesystem with the same source on " + destination.name;
  return s;
}

std::optional<uint64_t> disk_capacity(const DiskFacts& disk, const HostFacts& host) {
  if (disk.capacity_bytes.known()) return disk.capacity_bytes.value();
  const std::string path = disk_path(disk, host);
  if (const auto* pools = host.pools.get())
    for (const auto& p : *pools)
      for (const auto& v : p.volumes)
        if ((!path.empty() && v.path == path) || (disk.type == "volume" && p.name == disk.pool && v.name == disk.volume))
          if (v.capacity_bytes.known()) return v.capacity_bytes.value();
  return std::nullopt;
}

}  // namespace preflight
