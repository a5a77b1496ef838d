#include "collect/local_collector.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "collect/local_readers.hpp"
#include "collect/proc_cpuinfo.hpp"
#include "collect/proc_meminfo.hpp"
#include "collect/sysfs_cpulist.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight {
namespace local {
namespace {

const char* const kLocalOnly = "local collection reads the machine only; use --libvirt URI";

uint64_t to_u64(const std::string& text, const std::string& origin) {
  const std::string t = trim(text);
  const auto v = parse_unsigned(t);
  if (!v) throw Error(origin + ": expected a number, got '" + quote_input(t) + "'");
  return *v;
}

uint64_t read_u64(const LocalRoot& root, const std::string& rel) { return to_u64(root.read(rel), root.path(rel)); }

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Sockets, cores per socket and threads per core from (package, die, core) per CPU.
void set_counts(TopologyFacts& t, const std::vector<std::tuple<uint64_t, uint64_t, uint64_t>>& ids,
                const std::string& from) {
  std::set<uint64_t> packages;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> cores;
  for (const auto& id : ids) {
    packages.insert(std::get<0>(id));
    cores.insert(id);
  }
  const size_t n = ids.size();
  t.sockets = static_cast<uint32_t>(packages.size());
  if (cores.size() % packages.size() == 0) {
    t.cores_per_socket = static_cast<uint32_t>(cores.size() / packages.size());
  } else {
    t.cores_per_socket = Fact<uint32_t>::unknown(from + ": sockets have different core counts");
  }
  if (n % cores.size() == 0) {
    t.threads_per_core = static_cast<uint32_t>(n / cores.size());
  } else {
    t.threads_per_core = Fact<uint32_t>::unknown(from + ": cores have different thread counts (" +
                                                 std::to_string(n) + " CPUs on " + std::to_string(cores.size()) +
                                                 " cores, a hybrid CPU?)");
  }
}

}  // namespace

void read_identity(const LocalRoot& root, HostFacts& h) {
  try {
    const std::string name = root.read_value("/proc/sys/kernel/hostname");
    h.hostname = name.empty() ? Fact<std::string>::unknown(root.path("/proc/sys/kernel/hostname") + ": empty")
                              : Fact(name);
  } catch (const Error& e) {
    h.hostname = Fact<std::string>::unknown(e.what());
  }
  try {
    std::string uuid = root.read_value("/sys/class/dmi/id/product_uuid");
    std::transform(uuid.begin(), uuid.end(), uuid.begin(), [](unsigned char c) { return std::tolower(c); });
    h.host_uuid = looks_like_uuid(uuid)
                      ? Fact(uuid)
                      : Fact<std::string>::unknown(root.path("/sys/class/dmi/id/product_uuid") + ": not a UUID: '" +
                                                   uuid + "'");
  } catch (const Error& e) {
    h.host_uuid = Fact<std::string>::unknown(e.what());
  }
  try {
    h.arch = root.read_value("/proc/sys/kernel/arch");
  } catch (const Error& e) {
    utsname u;
    if (root.is_live() && uname(&u) == 0) {
      h.arch = std::string(u.machine);
    } else {
      h.arch = Fact<std::string>::unknown(e.what());
    }
  }
}

void read_memory(const LocalRoot& root, HostFacts& h) {
  MemoryFacts& m = h.memory;
  try {
    const auto info = parse_meminfo(root.read("/proc/meminfo"), root.path("/proc/meminfo"));
    auto total = info.find("MemTotal");
    m.total_kib = total != info.end() ? Fact(total->second)
                                      : Fact<uint64_t>::unknown(root.path("/proc/meminfo") + ": no MemTotal");
    if (auto avail = info.find("MemAvailable"); avail != info.end()) {
      m.free_kib = avail->second;
      m.free_note = "MemAvailable of /proc/meminfo (free plus reclaimable cache)";
    } else if (auto free = info.find("MemFree"); free != info.end()) {
      m.free_kib = free->second;
      m.free_note = "MemFree of /proc/meminfo (the kernel reports no MemAvailable)";
    } else {
      m.free_kib = Fact<uint64_t>::unknown(root.path("/proc/meminfo") + ": neither MemAvailable nor MemFree");
    }
  } catch (const Error& e) {
    m.total_kib = Fact<uint64_t>::unknown(e.what());
    m.free_kib = Fact<uint64_t>::unknown(e.what());
  }
  try {
    const std::string dir = "/sys/kernel/mm/hugepages";
    std::vector<HugepagePool> pools;
    for (const std::string& name : root.list(dir)) {
      if (!name.starts_with("hugepages-") || !name.ends_with("kB")) continue;
      HugepagePool p;
      p.size_kib = to_u64(name.substr(10, name.size() - 12), root.path(dir + "/" + name));
      p.total = read_u64(root, dir + "/" + name + "/nr_hugepages");
      p.free = read_u64(root, dir + "/" + name + "/free_hugepages");
      pools.push_back(p);
    }
    std::sort(pools.begin(), pools.end(),
              [](const HugepagePool& a, const HugepagePool& b) { return a.size_kib < b.size_kib; });
    m.hugepages = pools;
  } catch (const Error& e) {
    m.hugepages = Fact<std::vector<HugepagePool>>::unknown(e.what());
  }
}

void read_topology(const LocalRoot& root, const Cpuinfo& cpuinfo, HostFacts& h) {
  TopologyFacts& t = h.topology;
  std::vector<unsigned> online;
  const std::string online_rel = "/sys/devices/system/cpu/online";
  try {
    online = parse_cpulist(root.read(online_rel), root.path(online_rel));
    if (online.empty()) throw Error(root.path(online_rel) + ": empty");
    t.online = format_cpulist(online);
    t.cpus = static_cast<uint32_t>(online.size());
  } catch (const Error& e) {
    t.online = Fact<std::string>::unknown(e.what());
    t.cpus = Fact<uint32_t>::unknown(e.what());
  }
  std::string sysfs_error;
  if (!online.empty()) {
    try {
      std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> ids;
      for (unsigned cpu : online) {
        const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        const uint64_t die = root.exists(dir + "die_id") ? read_u64(root, dir + "die_id") : 0;
        ids.emplace_back(read_u64(root, dir + "physical_package_id"), die, read_u64(root, dir + "core_id"));
      }
      set_counts(t, ids, root.path("/sys/devices/system/cpu/cpu*/topology"));
    } catch (const Error& e) {
      sysfs_error = e.what();
    }
  }
  if (online.empty() || !sysfs_error.empty()) {
    try {
      if (!cpuinfo.error.empty()) throw Error(cpuinfo.error);
      std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> ids;
      const std::string origin = root.path("/proc/cpuinfo");
      for (const auto& b : cpuinfo.blocks) {
        auto pkg = b.find("physical id"), core = b.find("core id");
        if (pkg == b.end() || core == b.end()) throw Error(origin + ": no 'physical id'/'core id' lines");
        ids.emplace_back(to_u64(pkg->second, origin), 0, to_u64(core->second, origin));
      }
      if (ids.empty()) throw Error(origin + ": no processors");
      set_counts(t, ids, origin);
    } catch (const Error& e) {
      const std::string why = sysfs_error.empty() ? std::string(e.what()) : sysfs_error + "; " + e.what();
      t.sockets = Fact<uint32_t>::unknown(why);
      t.cores_per_socket = Fact<uint32_t>::unknown(why);
      t.threads_per_core = Fact<uint32_t>::unknown(why);
    }
  }
  try {
    const std::string rel = "/sys/devices/system/node/online";
    t.numa_nodes = static_cast<uint32_t>(parse_cpulist(root.read(rel), root.path(rel)).size());
  } catch (const Error& e) {
    t.numa_nodes = Fact<uint32_t>::unknown(e.what());
  }
  const unsigned first = online.empty() ? 0 : online.front();
  const std::string max_freq = "/sys/devices/system/cpu/cpu" + std::to_string(first) + "/cpufreq/cpuinfo_max_freq";
  try {
    t.mhz = static_cast<uint32_t>(read_u64(root, max_freq) / 1000);
  } catch (const Error& e) {
    std::string why = e.what();
    if (!cpuinfo.blocks.empty() && cpuinfo.blocks.front().count("cpu MHz")) {
      if (const auto mhz = parse_real(cpuinfo.blocks.front().at("cpu MHz"), 0, 1e6)) {
        t.mhz = static_cast<uint32_t>(std::lround(*mhz));
        return;
      }
      why += "; /proc/cpuinfo 'cpu MHz' is not a number";
    }
    t.mhz = Fact<uint32_t>::unknown(why);
  }
}

}  // namespace local

HostFacts collect_local(const LocalCollectOptions& opts) {
  const LocalRoot root(opts.root);
  HostFacts h;
  h.source = root.is_live() ? "local" : "local:" + opts.root;

  local::Cpuinfo cpuinfo;
  try {
    cpuinfo.blocks = parse_cpuinfo(root.read("/proc/cpuinfo"));
    if (cpuinfo.blocks.empty()) cpuinfo.error = root.path("/proc/cpuinfo") + ": no processor blocks";
  } catch (const Error& e) {
    cpuinfo.error = e.what();
  }
  local::read_identity(root, h);
  h.name = h.hostname.value_or("localhost");
  local::read_memory(root, h);
  local::read_topology(root, cpuinfo, h);
  local::read_cpu(root, opts, cpuinfo, h);
  local::read_firmware(root, h);
  local::read_bridges(root, h);
  local::read_nics(root, h);
  local::read_mounts(root, h);

  const std::string why = local::kLocalOnly;
  h.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown(why);
  h.cpu.host_model = Fact<CpuDefinition>::unknown(why);
  h.hypervisor.driver = Fact<std::string>::unknown(why);
  h.hypervisor.libvirt_version = Fact<std::string>::unknown(why);
  h.hypervisor.hypervisor_version = Fact<std::string>::unknown(why);
  h.hypervisor.machine_types = Fact<std::vector<std::string>>::unknown(why);
  h.hypervisor.emulators = Fact<std::vector<std::string>>::unknown(why);
  h.hypervisor.firmware = Fact<std::vector<std::string>>::unknown(why);
  h.offers = Fact<std::vector<GuestOffer>>::unknown(why);
  h.networks = Fact<std::vector<NetworkFacts>>::unknown(why);
  h.pools = Fact<std::vector<PoolFacts>>::unknown(why);
  h.vms = Fact<std::vector<VmFacts>>::unknown(why);
  h.migration_address = Fact<std::string>::unknown(why);
  return h;
}

std::vector<std::string> collection_warnings(const HostFacts& facts) {
  const CpuFacts& cpu = facts.cpu;
  const auto* differs = cpu.cpuid_disagreement.get();
  if (!differs || differs->empty()) return {};
  std::vector<std::string> pairs;
  for (const CpuidLeaf& l : *differs) pairs.push_back(fmt::format("{:#x}.{}", l.leaf, l.subleaf));
  const std::string used = cpu.cpuid_source.value_or("the first source");
  return {fmt::format("CPUID sources disagree on {} leaves ({}): the facts keep what the {} answered, as "
                      "libvirt's host CPU detection does; a hypervisor below this machine answers the two "
                      "differently, so compare the features with 'virsh capabilities' here before trusting a verdict",
                      differs->size(), join(pairs, ", "), used)};
}

}  // namespace preflight
