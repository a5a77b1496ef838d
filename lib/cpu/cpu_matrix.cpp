#include "cpu/cpu_matrix.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_baseline.hpp"

namespace preflight {

const CpuMatrixPair& CpuMatrix::pair(size_t from, size_t to) const {
  // Row `from` holds n - 1 pairs, `to` skipping the diagonal.
  const size_t n = hosts.size();
  return pairs.at(from * (n - 1) + (to < from ? to : to - 1));
}

const VendorBaseline& CpuMatrix::baseline_of(size_t i) const {
  for (const auto& b : baselines)
    for (size_t h : b.hosts)
      if (h == i) return b;
  throw Error(fmt::format("matrix: host '{}' is in no baseline group", hosts.at(i).host));
}

CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& facts, const CpuCatalog& catalog) {
  CpuMatrix m;
  m.non_migratable = catalog.non_migratable();
  std::vector<std::string> failed;
  for (const HostFacts& h : facts) {
    try {
      m.hosts.push_back(resolve_host_cpu(h, catalog));
    } catch (const Error& e) {
      failed.push_back(e.what());  // names the host
    }
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot resolve the CPU of {} host{}: {}", failed.size(),
                            failed.size() == 1 ? "" : "s", join(failed, "; ")),
                "no pair is judged on a guess: give such a host a CPU source, or leave it out (preflight matrix "
                "HOST...)");

  const size_t n = m.hosts.size();
  for (size_t a = 0; a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const HostCpu& from = m.hosts[a];
      const HostCpu& to = m.hosts[b];
      CpuMatrixPair p{a, b, !from.vendor_name.empty() && from.vendor_name == to.vendor_name, {}};
      if (p.same_vendor) {
        p.missing = explain_missing(m.guest_features(a), to, facts[b], &from, catalog);
        p.unknown = ((m.guest_features(a) - to.features) & to.unknown).count();
        // FROM's features its facts cannot tell, which TO is not known to have: the guest may see them.
        const CpuFeatureSet maybe = from.unknown - m.non_migratable - to.features - to.unknown - hypervisor_bit(catalog);
        for (MissingFeature& f : explain_missing(maybe, from, facts[a], nullptr, catalog)) p.missing.push_back(std::move(f));
        p.unknown += maybe.count();
      }
      m.pairs.push_back(std::move(p));
    }

  for (size_t i = 0; i < n; ++i) {
    const std::string vendor = m.hosts[i].vendor_name.empty() ? "unknown" : m.hosts[i].vendor_name;
    VendorBaseline* group = nullptr;
    for (auto& g : m.baselines)
      if (g.vendor == vendor) group = &g;
    if (!group) group = &m.baselines.emplace_back(VendorBaseline{vendor, {}, m.guest_features(i), {}});
    group->hosts.push_back(i);
    group->features &= m.guest_features(i);
  }
  for (auto& g : m.baselines) {
    if (g.vendor == "unknown") continue;
    std::vector<BaselineInput> inputs;
    for (size_t i : g.hosts) inputs.push_back(baseline_input(m.hosts[i]));
    try {
      const Baseline b = compute_baseline(inputs, catalog, true);
      g.model = b.cpu.model->name;
    } catch (const Error&) {
      // No model fits (or no feature is common): the count still says what is shared.
    }
  }
  return m;
}

}  // namespace preflight
