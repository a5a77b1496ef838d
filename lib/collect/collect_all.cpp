#include "collect/collect_all.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_decode.hpp"
#include "facts/facts_yaml.hpp"

namespace fs = std::filesystem;

namespace preflight {

void name_cpu_features(HostFacts& facts, const std::string& cpu_map_dir) {
  const auto* leaves = facts.cpu.cpuid.get();
  const bool features = leaves && !facts.cpu.features.known();
  const CpuDefinition* libvirt_cpu = facts.cpu.libvirt_cpu.get();
  const bool vendor = !facts.cpu.vendor.known() && libvirt_cpu && !libvirt_cpu->vendor.empty();
  if (!features && !vendor) return;
  try {
    const CpuCatalog catalog = CpuCatalog::load(cpu_map_dir);
    if (features) facts.cpu.features = catalog.names(decode_cpuid(*leaves, facts.cpu.msrs.value_or({}), catalog));
    if (const int v = vendor ? catalog.find_vendor(libvirt_cpu->vendor) : -1; v >= 0)
      facts.cpu.vendor = catalog.vendors()[static_cast<size_t>(v)].string;
  } catch (const Error& e) {
    if (features) facts.cpu.features = Fact<std::vector<std::string>>::unknown(e.what());
  }
}

std::vector<std::string> collect_all(const Inventory& inv, const CollectAllOptions& o) {
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) throw Error(fmt::format("{}: cannot create folder: {}", o.dir, ec.message()));
  const size_t n = inv.hosts.size();
  std::vector<std::string> errors(n);
  std::atomic<size_t> next{0};
  const auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      const InventoryHost& h = inv.hosts[i];
      try {
        HostFacts facts = collect_inventory_host(h);
        name_cpu_features(facts, o.cpu_map_dir);
        write_file((fs::path(o.dir) / (h.name + ".yaml")).string(), facts_to_yaml(facts));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
      if (o.progress) o.progress(h.name);
    }
  };
  std::vector<std::thread> pool;
  const unsigned threads = std::max(1u, std::min<unsigned>(o.jobs, static_cast<unsigned>(n)));
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  std::erase_if(errors, [](const std::string& e) { return e.empty(); });
  return errors;
}

}  // namespace preflight
