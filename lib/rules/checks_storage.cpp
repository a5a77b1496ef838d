// Storage checks: shared storage (R10), LUN visibility (R11), shareable disks
// (R12), host media (R13), ISO visibility (R14), space for copies (R15), cache
// modes (R16).
#include <map>

#include "rules/checks.hpp"
#include "rules/storage_sharing.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

bool is_media(const DiskFacts& d) { return d.device == "cdrom" || d.device == "floppy"; }
bool has_source(const DiskFacts& d) { return !d.source.empty() || (d.type == "volume" && !d.volume.empty()); }

std::string gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

struct CopyItem {
  const DiskFacts* disk;
  std::string path;
  DiskSharing sharing;
  std::optional<uint64_t> bytes;
  const PoolFacts* target = nullptr;  // destination pool that would receive the copy
};

std::vector<CopyItem> disks_to_copy(const CheckContext& c) {
  std::vector<CopyItem> out;
  for (const auto& d : c.vm.disks) {
    if (d.device != "disk" || !has_source(d)) continue;
    DiskSharing s = disk_sharing(d, c.source, c.destination);
    if (s.shared) continue;
    CopyItem it{&d, disk_path(d, c.source), std::move(s), disk_capacity(d, c.source), nullptr};
    if (it.path.empty()) it.path = d.source;
    if (d.type == "volume") {
      if (const auto* pools = c.destination.pools.get())
        for (const auto& p : *pools)
          if (p.name == d.pool) it.target = &p;
    } else {
      it.target = pool_holding(it.path, c.destination);
    }
    out.push_back(std::move(it));
  }
  return out;
}

json copy_evidence(const std::vector<CopyItem>& items) {
  json disks = json::array();
  for (const auto& it : items) {
    json d = {{"target", it.disk->target}, {"path", it.path}, {"why", it.sharing.how}};
    if (it.bytes) d["bytes"] = *it.bytes;
    if (it.target) d["destination_pool"] = it.target->name;
    if (!it.sharing.assumptions.empty()) d["assumed_not_shared_because"] = it.sharing.assumptions;
    disks.push_back(d);
  }
  return disks;
}

std::vector<std::string> disk_names(const std::vector<CopyItem>& items) {
  std::vector<std::string> out;
  for (const auto& it : items) out.push_back(it.disk->target + " (" + it.path + ")");
  return out;
}

// The disks to copy, as subjects.
std::vector<Subject> disk_subjects(const std::vector<CopyItem>& items) {
  std::vector<Subject> out;
  for (const auto& it : items) add_subject(out, {Subject::Kind::disk, it.disk->target});
  return out;
}

// Space on each destination pool for the copies; fills `evidence`. nullopt = fits.
std::optional<CheckResult> space_problem(const CheckContext& c, const std::vector<CopyItem>& items, json& evidence) {
  std::map<const PoolFacts*, uint64_t> need;
  std::vector<std::string> homeless;
  for (const auto& it : items) {
    if (!it.target) {
      homeless.push_back(it.disk->target + " (" + it.path + ")");
      continue;
    }
    if (!it.bytes)
      return CheckResult::unknown(c.source, "capacity of disk " + it.disk->target, "neither the disk nor its volume reports a size");
    need[it.target] += *it.bytes;
  }
  if (!homeless.empty()) {
    evidence["disks_without_pool"] = homeless;
    return CheckResult::fire(evidence, "no_target", Severity::block).about(disk_subjects(items));
  }
  json pools = json::array();
  std::vector<std::string> short_pools;
  std::vector<Subject> subjects = disk_subjects(items);
  for (const auto& [pool, bytes] : need) {
    if (!pool->available_bytes.known())
      return CheckResult::unknown(c.destination, "available space of pool " + pool->name, pool->available_bytes.reason());
    const uint64_t avail = pool->available_bytes.value();
    pools.push_back({{"pool", pool->name}, {"needed_bytes", bytes}, {"available_bytes", avail}});
    if (bytes <= avail) continue;
    short_pools.push_back(pool->name + ": needs " + gib(bytes) + ", has " + gib(avail));
    add_subject(subjects, {Subject::Kind::pool, pool->name});
  }
  evidence["pools"] = pools;
  if (!short_pools.empty()) {
    evidence["shortfall"] = short_pools;
    return CheckResult::fire(evidence, "no_space", Severity::block).about(std::move(subjects));
  }
  return std::nullopt;
}

// A VM defined on no host yet starts on the destination with its disks where its
// definition says: each must be a network disk or a volume of a destination pool.
CheckResult disks_on_destination(const CheckContext& c, size_t disks) {
  if (!c.destination.pools.known()) return CheckResult::unknown(c.destination, "pools", c.destination.pools.reason());
  std::vector<std::string> absent;
  std::vector<Subject> subjects;
  json found = json::array();
  for (const auto& d : c.vm.disks) {
    if (d.device != "disk" || !has_source(d)) continue;
    std::string how;
    if (d.type == "network") {
      how = "network disk (" + d.protocol + " " + d.source + ")";
    } else {
      const std::string path = disk_path(d, c.destination);
      for (const auto& p : c.destination.pools.value())
        for (const auto& v : p.volumes)
          if ((!path.empty() && v.path == path) || (d.type == "volume" && p.name == d.pool && v.name == d.volume))
            how = "volume '" + v.name + "' of pool '" + p.name + "'";
    }
    const std::string what = d.type == "volume" ? d.pool + "/" + d.volume : d.source;
    found.push_back({{"target", d.target}, {"source", what}, {"on_destination", !how.empty()}, {"why", how}});
    if (!how.empty()) continue;
    absent.push_back(d.target + " (" + what + ")");
    add_subject(subjects, {Subject::Kind::disk, d.target});
  }
  json ev = {{"disks", found}};
  if (absent.empty())
    return CheckResult::pass("all " + std::to_string(disks) + " disk(s) are volumes of " + c.destination.name +
                                 "'s pools or network disks",
                             ev);
  ev["disk_list"] = absent;
  return CheckResult::fire(ev, "new_vm", Severity::block).about(std::move(subjects));
}

}  // namespace

CheckResult storage_shared(const CheckContext& c, const json&) {
  size_t disks = 0;
  for (const auto& d : c.vm.disks) disks += d.device == "disk" && has_source(d);
  if (disks == 0) return CheckResult::skip("VM " + c.vm.name + " has no disks");
  if (c.new_vm) return disks_on_destination(c, disks);
  const auto items = disks_to_copy(c);
  if (items.empty()) return CheckResult::pass("all " + std::to_string(disks) + " disk(s) are on storage both hosts see");
  if (!c.destination.pools.known())
    return CheckResult::unknown(c.destination, "pools", c.destination.pools.reason());
  json ev = {{"disks", copy_evidence(items)}, {"disk_list", disk_names(items)}};
  if (!c.policy.allow_storage_copy)
    return CheckResult::fire(ev, "copy_forbidden", Severity::block).about(disk_subjects(items));
  if (auto problem = space_problem(c, items, ev)) return *problem;
  // A plain check: copying is one way to move.
  if (c.mode.empty()) return CheckResult::fire(ev, "copy").about(disk_subjects(items));
  ev["mode"] = c.mode;
  // copy-storage: libvirt mirrors the disks; offline: preflight copies them (storage
  // streams) before moving the definition of the shut-off VM.
  if (c.mode == "copy-storage" || c.mode == "offline")
    return CheckResult::pass(
        "the move copies " + std::to_string(items.size()) + " disk(s) (--mode " + c.mode + ")", ev);
  // live and quick moves expect the disks where they are: two hosts writing
  // different files at one path, or a VM without its disks.
  return CheckResult::fire(ev, "not_copied", Severity::block).about(disk_subjects(items));
}

CheckResult storage_space(const CheckContext& c, const json&) {
  const auto items = disks_to_copy(c);
  if (items.empty()) return CheckResult::pass("nothing to copy: every disk is on shared storage");
  if (!c.destination.pools.known())
    return CheckResult::unknown(c.destination, "pools", c.destination.pools.reason());
  json ev = {{"disks", copy_evidence(items)}, {"disk_list", disk_names(items)}};
  if (auto problem = space_problem(c, items, ev)) return *problem;
  return CheckResult::pass("the destination pools hold the " + std::to_string(items.size()) + " disk(s) to copy", ev);
}

CheckResult lun_visible(const CheckContext& c, const json&) {
  std::vector<std::string> missing;
  std::vector<Subject> unseen;
  json luns = json::array();
  for (const auto& d : c.vm.disks) {
    if (d.type != "block" || is_media(d) || d.source.empty()) continue;
    const DiskSharing s = disk_sharing(d, c.source, c.destination);
    bool visible = s.shared;
    std::string how = s.how;
    if (!visible && d.source.rfind("/dev/disk/by-id/", 0) == 0) {
      if (!c.destination.pools.known())
        return CheckResult::unknown(c.destination, "pools", c.destination.pools.reason());
      for (const auto& p : c.destination.pools.value())
        for (const auto& v : p.volumes)
          if (v.path == d.source) visible = true, how = "same device id in pool '" + p.name + "' on " + c.destination.name;
    }
    luns.push_back({{"target", d.target}, {"source", d.source}, {"visible", visible}, {"why", how}});
    if (visible) continue;
    missing.push_back(d.target + " (" + d.source + ")");
    add_subject(unseen, {Subject::Kind::disk, d.target});
  }
  if (luns.empty()) return CheckResult::skip("VM " + c.vm.name + " has no block-device (LUN) disks");
  json ev = {{"luns", luns}};
  if (missing.empty()) return CheckResult::pass("every LUN is visible from " + c.destination.name, ev);
  ev["missing"] = missing;
  return CheckResult::fire(ev).about(unseen);
}

CheckResult disk_shareable(const CheckContext& c, const json&) {
  std::vector<std::string> shared;
  std::vector<Subject> subjects;
  for (const auto& d : c.vm.disks) {
    if (!d.shareable) continue;
    shared.push_back(d.target + (d.source.empty() ? "" : " (" + d.source + ")"));
    add_subject(subjects, {Subject::Kind::disk, d.target});
  }
  if (shared.empty()) return CheckResult::pass("no disk is shared with other VMs");
  return CheckResult::fire({{"disks", shared}}).about(subjects);
}

CheckResult host_media(const CheckContext& c, const json&) {
  std::vector<std::string> found;
  std::vector<Subject> subjects;
  size_t media = 0;
  for (const auto& d : c.vm.disks) {
    if (!is_media(d)) continue;
    ++media;
    if (d.type != "block" || d.source.empty()) continue;
    found.push_back(d.target + " (" + d.device + " from " + d.source + ")");
    add_subject(subjects, {Subject::Kind::disk, d.target});
  }
  if (media == 0) return CheckResult::skip("VM " + c.vm.name + " has no CD-ROM or floppy");
  if (found.empty()) return CheckResult::pass("no CD-ROM/floppy is backed by a host device");
  return CheckResult::fire({{"devices", found}}).about(subjects);
}

CheckResult media_visible(const CheckContext& c, const json&) {
  size_t media = 0;
  std::vector<std::string> missing;
  std::vector<Subject> unseen;
  json images = json::array();
  for (const auto& d : c.vm.disks) {
    if (!is_media(d)) continue;
    ++media;
    if (d.type == "block" || !has_source(d)) continue;
    const DiskSharing s = disk_sharing(d, c.source, c.destination);
    bool visible = s.shared;
    std::string how = s.how;
    const std::string path = disk_path(d, c.source).empty() ? d.source : disk_path(d, c.source);
    if (!visible) {
      if (!c.destination.pools.known())
        return CheckResult::unknown(c.destination, "pools", c.destination.pools.reason());
      for (const auto& p : c.destination.pools.value())
        for (const auto& v : p.volumes)
          if (v.path == path) visible = true, how = "present as a volume of pool '" + p.name + "' on " + c.destination.name;
    }
    images.push_back({{"target", d.target}, {"image", path}, {"visible", visible}, {"why", how}});
    if (visible) continue;
    missing.push_back(d.target + " (" + path + ")");
    add_subject(unseen, {Subject::Kind::disk, d.target});
  }
  if (media == 0) return CheckResult::skip("VM " + c.vm.name + " has no CD-ROM or floppy");
  if (images.empty()) return CheckResult::pass("no image inserted");
  json ev = {{"images", images}};
  if (missing.empty()) return CheckResult::pass("every inserted image is reachable from " + c.destination.name, ev);
  ev["missing"] = missing;
  return CheckResult::fire(ev).about(unseen);
}

CheckResult cache_mode(const CheckContext& c, const json& params) {
  const auto safe = param_strings(params, "safe_modes", {"none", "directsync"});
  std::vector<std::string> flagged;
  std::vector<Subject> subjects;
  size_t disks = 0;
  for (const auto& d : c.vm.disks) {
    // A passed-through LUN (device='lun') is written through the same cache.
    if ((d.device != "disk" && d.device != "lun") || !has_source(d) || d.readonly) continue;
    ++disks;
    const std::string mode = d.cache.empty() ? "default" : d.cache;
    if (std::find(safe.begin(), safe.end(), mode) != safe.end()) continue;
    if (disk_sharing(d, c.source, c.destination).shared) continue;
    flagged.push_back(d.target + " (cache=" + mode + ")");
    add_subject(subjects, {Subject::Kind::disk, d.target});
  }
  if (disks == 0) return CheckResult::skip("VM " + c.vm.name + " has no writable disks");
  // A copy-storage move mirrors the disks through QEMU, which flushes them: safe
  // whatever the cache mode (libvirt agrees: copied disks pass its safety check).
  if (!flagged.empty() && c.mode == "copy-storage")
    return CheckResult::pass("the non-shared disks are copied by the move, whatever their cache mode",
                             {{"disks", flagged}, {"mode", c.mode}});
  // An offline move is of a shut-off VM: no guest, no host page cache holding its
  // writes, nothing for the cache mode to lose.
  if (!flagged.empty() && c.mode == "offline")
    return CheckResult::pass("the VM is shut off: an offline move has no cached guest writes, whatever the cache mode",
                             {{"disks", flagged}, {"mode", c.mode}});
  if (flagged.empty()) return CheckResult::pass("no unsafe cache mode on non-shared storage");
  return CheckResult::fire({{"disks", flagged}, {"safe_modes", safe}}).about(subjects);
}

}  // namespace preflight::checks
