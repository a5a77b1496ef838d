// The bridge, NIC and mount readers of collect_local.
#include <algorithm>
#include <optional>

#include "collect/local_readers.hpp"
#include "collect/proc_mountinfo.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight::local {
namespace {

// A physical NIC, or an upper device (bond, VLAN, team) whose lower devices all are.
Fact<bool> is_physical(const LocalRoot& root, const std::string& dev, int depth = 0) {
  const std::string dir = "/sys/class/net/" + dev;
  if (root.exists(dir + "/device")) return true;
  if (depth > 8) return Fact<bool>::unknown(root.path(dir) + ": lower devices nest too deep");
  std::vector<std::string> lowers;
  try {
    for (const std::string& n : root.list(dir))
      if (n.starts_with("lower_")) lowers.push_back(n.substr(6));
    if (lowers.empty() && root.exists(dir + "/bonding/slaves")) {
      for (const std::string& s : split(root.read_value(dir + "/bonding/slaves"), ' '))
        if (!s.empty()) lowers.push_back(s);
    }
  } catch (const Error& e) {
    return Fact<bool>::unknown(e.what());
  }
  if (lowers.empty()) return false;
  for (const std::string& lower : lowers) {
    const Fact<bool> p = is_physical(root, lower, depth + 1);
    if (!p.known() || !p.value()) return p;
  }
  return true;
}

}  // namespace

void read_bridges(const LocalRoot& root, HostFacts& h) {
  try {
    std::vector<BridgeFacts> bridges;
    for (const std::string& dev : root.list("/sys/class/net")) {
      const std::string dir = "/sys/class/net/" + dev;
      if (!root.exists(dir + "/bridge")) continue;
      BridgeFacts b;
      b.name = dev;
      const std::vector<std::string> ports = root.exists(dir + "/brif") ? root.list(dir + "/brif")
                                                                        : std::vector<std::string>{};
      for (const std::string& m : ports) b.members.push_back(BridgeMember{m, is_physical(root, m)});
      bridges.push_back(std::move(b));
    }
    h.bridges = bridges;
  } catch (const Error& e) {
    h.bridges = Fact<std::vector<BridgeFacts>>::unknown(e.what());
  }
}

void read_nics(const LocalRoot& root, HostFacts& h) {
  try {
    std::vector<NicFacts> nics;
    for (const std::string& dev : root.list("/sys/class/net")) {
      const std::string dir = "/sys/class/net/" + dev;
      if (root.exists(dir + "/bridge")) continue;  // its members are listed themselves
      const Fact<bool> physical = is_physical(root, dev);
      if (!physical.known() || !physical.value()) continue;
      NicFacts n;
      n.name = dev;
      try {
        n.up = root.read_value(dir + "/operstate") == "up";
      } catch (const Error&) {
        n.up = false;
      }
      // The kernel says -1 (or fails with EINVAL) when the link is down or the driver
      // reports no speed.
      try {
        const std::string text = root.read_value(dir + "/speed");
        const std::optional<uint64_t> mbps = parse_unsigned(text);
        if (mbps && *mbps > 0)
          n.speed_mbps = *mbps;
        else
          n.speed_mbps = Fact<uint64_t>::unknown(root.path(dir + "/speed") + ": '" + text + "', no link speed reported");
      } catch (const Error& e) {
        n.speed_mbps = Fact<uint64_t>::unknown(e.what());
      }
      nics.push_back(std::move(n));
    }
    h.nics = nics;
  } catch (const Error& e) {
    h.nics = Fact<std::vector<NicFacts>>::unknown(e.what());
  }
}

void read_mounts(const LocalRoot& root, HostFacts& h) {
  try {
    const std::string rel = "/proc/self/mountinfo";
    std::vector<MountFacts> mounts;
    for (const MountinfoEntry& e : parse_mountinfo(root.read(rel), root.path(rel))) {
      if (is_pseudo_fs(e.fstype)) continue;
      MountFacts m{e.mountpoint, e.fstype, e.source, false};
      switch (classify_fstype(e.fstype, e.source)) {
        case FsSharing::shared:
          m.shared = true;
          break;
        case FsSharing::local:
          break;
        case FsSharing::unknown:
          // Only for names we do not know: statfs can hang on a dead network mount.
          try {
            m.shared = fs_magic_is_shared(root.fs_magic(e.mountpoint)).value_or(false);
          } catch (const Error&) {
            m.shared = false;
          }
          break;
      }
      // A later mount on the same point hides the earlier one.
      std::erase_if(mounts, [&](const MountFacts& x) { return x.mountpoint == m.mountpoint; });
      mounts.push_back(std::move(m));
    }
    h.mounts = mounts;
  } catch (const Error& e) {
    h.mounts = Fact<std::vector<MountFacts>>::unknown(e.what());
  }
}

}  // namespace preflight::local
