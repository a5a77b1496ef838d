#include "cpu/cpu_matrix.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_baseline.hpp"

namespace preflight {
namespace {

std::vector<HostCpu> resolve_all(const std::vector<HostFacts>& facts, const CpuCatalog& catalog) {
  std::vector<HostCpu> hosts;
  std::vector<std::string> failed;
  hosts.reserve(facts.size());
  for (const HostFacts& h : facts) {
    try {
      hosts.push_back(resolve_host_cpu(h, catalog));
    } catch (const Error& e) {
      failed.push_back(e.what());  // names the host
    }
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot resolve the CPU of {} host{}: {}", failed.size(),
                            failed.size() == 1 ? "" : "s", join(failed, "; ")),
                "no pair is judged on a guess: give such a host a CPU source, or leave it out (preflight matrix "
                "HOST...)");
  return hosts;
}

void group_classes(CpuMatrix& m) {
  std::map<std::tuple<std::string, CpuFeatureSet, CpuFeatureSet>, size_t> index;
  m.class_of.resize(m.hosts.size());
  for (size_t i = 0; i < m.hosts.size(); ++i) {
    const CpuFeatureSet features = m.guest_features(i);
    auto [it, fresh] = index.try_emplace({m.hosts[i].vendor_name, features, m.hosts[i].unknown}, m.classes.size());
    if (fresh) m.classes.push_back(CpuClass{{}, features});
    m.classes[it->second].hosts.push_back(i);
    m.class_of[i] = it->second;
  }
}

// FROM's unknown features TO is not known to have: a guest may see them.
CpuFeatureSet maybe_seen(const HostCpu& from, const HostCpu& to, const CpuFeatureSet& non_migratable,
                         const CpuFeatureSet& hypervisor) {
  return from.unknown - non_migratable - to.features - to.unknown - hypervisor;
}

void compute_pairs(CpuMatrix& m, const CpuFeatureSet& hypervisor) {
  const size_t n = m.classes.size();
  m.pairs.reserve(n * (n > 0 ? n - 1 : 0));
  for (size_t a = 0; a < n; ++a) {
    const HostCpu& from = m.representative(a);
    const CpuFeatureSet& guest = m.classes[a].features;
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const HostCpu& to = m.representative(b);
      CpuMatrixPair p{a, b, !from.vendor_name.empty() && from.vendor_name == to.vendor_name,
                      from.vendor_name.empty() || to.vendor_name.empty()};
      if (!p.vendors_differ()) {
        const CpuFeatureSet lacking = guest - to.features - hypervisor;  // QEMU sets that bit for every guest
        p.unknown = (lacking & to.unknown).count();
        p.missing = lacking.count() - p.unknown;
        if (!from.unknown.empty()) p.unknown += maybe_seen(from, to, m.non_migratable, hypervisor).count();
      }
      m.pairs.push_back(p);
    }
  }
}

void compute_baselines(CpuMatrix& m, const CpuCatalog& catalog) {
  for (size_t c = 0; c < m.classes.size(); ++c) {
    const HostCpu& h = m.representative(c);
    const std::string vendor = h.vendor_name.empty() ? "unknown" : h.vendor_name;
    auto group = std::find_if(m.baselines.begin(), m.baselines.end(), [&](const VendorBaseline& g) { return g.vendor == vendor; });
    if (group == m.baselines.end()) group = m.baselines.insert(m.baselines.end(), VendorBaseline{vendor, {}, m.classes[c].features, {}});
    group->hosts.insert(group->hosts.end(), m.classes[c].hosts.begin(), m.classes[c].hosts.end());
    group->features &= m.classes[c].features;
  }
  for (auto& g : m.baselines) {
    std::sort(g.hosts.begin(), g.hosts.end());
    if (g.vendor == "unknown") continue;
    std::vector<BaselineInput> inputs;  // one per class: its hosts offer the same
    for (size_t c = 0; c < m.classes.size(); ++c)
      if (m.representative(c).vendor_name == g.vendor) inputs.push_back(baseline_input(m.representative(c)));
    try {
      g.model = compute_baseline(inputs, catalog, true).cpu.model->name;
    } catch (const Error&) {
      // No model fits (or no feature is common): the count still says what is shared.
    }
  }
}

}  // namespace

const CpuMatrixPair& CpuMatrix::pair(size_t from, size_t to) const {
  // Row `from` holds n - 1 pairs, `to` skipping the diagonal.
  const size_t n = classes.size();
  return pairs.at(from * (n - 1) + (to < from ? to : to - 1));
}

const VendorBaseline& CpuMatrix::baseline_of(size_t i) const {
  for (const auto& b : baselines)
    if (std::binary_search(b.hosts.begin(), b.hosts.end(), i)) return b;
  throw Error(fmt::format("matrix: host '{}' is in no baseline group", hosts.at(i).host));
}

bool CpuMatrix::all_ok() const {
  return std::all_of(pairs.begin(), pairs.end(), [](const CpuMatrixPair& p) { return p.ok(); });
}

bool CpuMatrix::some_known_to_fail() const {
  return std::any_of(pairs.begin(), pairs.end(), [](const CpuMatrixPair& p) { return !p.ok() && !p.undecided(); });
}

CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& facts, const CpuCatalog& catalog) {
  CpuMatrix m;
  m.non_migratable = catalog.non_migratable();
  m.hosts = resolve_all(facts, catalog);
  group_classes(m);
  compute_pairs(m, hypervisor_bit(catalog));
  compute_baselines(m, catalog);
  return m;
}

CpuMatrixPairFeatures pair_features(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog) {
  if (p.vendors_differ()) return {};
  const HostCpu& from = m.representative(p.from);
  const HostCpu& to = m.representative(p.to);
  const CpuFeatureSet hypervisor = hypervisor_bit(catalog);
  const CpuFeatureSet lacking = m.classes[p.from].features - to.features - hypervisor;
  CpuMatrixPairFeatures out{lacking - to.unknown, lacking & to.unknown};
  out.unknown |= maybe_seen(from, to, m.non_migratable, hypervisor);
  return out;
}

std::vector<MissingFeature> explain_pair(const CpuMatrix& m, const CpuMatrixPair& p,
                                         const std::vector<HostFacts>& facts, const CpuCatalog& catalog) {
  if (p.vendors_differ()) return {};
  const size_t a = m.classes[p.from].hosts.front(), b = m.classes[p.to].hosts.front();
  const HostCpu& from = m.hosts[a];
  const HostCpu& to = m.hosts[b];
  const CpuFeatureSet hypervisor = hypervisor_bit(catalog);
  std::vector<MissingFeature> out = explain_missing(m.classes[p.from].features - hypervisor, to, facts[b], &from, catalog);
  // Known missing first, then those TO cannot tell (explain_missing keeps feature order).
  std::stable_partition(out.begin(), out.end(), [](const MissingFeature& f) { return f.cause != MissingCause::unknown; });
  const CpuFeatureSet maybe = maybe_seen(from, to, m.non_migratable, hypervisor);
  for (MissingFeature& f : explain_missing(maybe, from, facts[a], nullptr, catalog)) out.push_back(std::move(f));
  return out;
}

}  // namespace preflight
