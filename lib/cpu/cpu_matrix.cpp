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

void compute_class_cells(CpuMatrix& m) {
  const size_t n = m.classes.size();
  // Per class, the sets the inner loop reads, side by side: what its guests see
  // (without the hypervisor bit, which QEMU sets for every guest), what its hosts
  // are known to have or cannot tell, and the features a guest may see that its
  // facts cannot tell.
  std::vector<CpuFeatureSet> guest(n), known(n), unknown(n), maybe(n);
  std::vector<int> vendor(n);
  std::vector<std::string> vendors;
  bool some_unknown = false;
  for (size_t c = 0; c < n; ++c) {
    const HostCpu& h = m.representative(c);
    guest[c] = m.classes[c].features - m.hypervisor;
    known[c] = h.features | h.unknown;
    unknown[c] = h.unknown - h.features;
    maybe[c] = h.unknown - m.non_migratable - m.hypervisor;
    some_unknown = some_unknown || !h.unknown.empty();
    if (h.vendor_name.empty()) {
      vendor[c] = -1;
      continue;
    }
    auto at = std::find(vendors.begin(), vendors.end(), h.vendor_name);
    vendor[c] = static_cast<int>(at - vendors.begin());
    if (at == vendors.end()) vendors.push_back(h.vendor_name);
  }
  m.cells.assign(n * n, 0);
  m.row_counts.assign(n, {});
  m.counts = {};
  for (size_t a = 0; a < n; ++a) {
    uint16_t* row = m.cells.data() + a * n;
    const CpuFeatureSet& g = guest[a];
    const int va = vendor[a];
    const bool tell = some_unknown;  // without any unknown feature, no pair can be undecided
    CpuPairCounts& counts = m.row_counts[a];
    for (size_t b = 0; b < n; ++b) {
      if (b == a) continue;
      if (va < 0 || va != vendor[b]) {
        row[b] = CpuMatrix::kVendorBit;
        ++counts.vendor;
        continue;
      }
      uint16_t cell = static_cast<uint16_t>(g.count_minus(known[b]));  // known absent on TO
      if (tell && (g.intersects(unknown[b]) || !maybe[a].subset_of(known[b]))) cell |= CpuMatrix::kUnknownBit;
      row[b] = cell;
      if (cell & CpuMatrix::kMissingMask) ++counts.missing;
      else if (cell) ++counts.unknown;
      else ++counts.ok;
    }
    m.counts.ok += counts.ok;
    m.counts.missing += counts.missing;
    m.counts.unknown += counts.unknown;
    m.counts.vendor += counts.vendor;
  }
}

CpuMatrixPair CpuMatrix::pair(size_t from, size_t to) const {
  if (from >= classes.size() || to >= classes.size() || from == to)
    throw Error(fmt::format("matrix: no pair of classes {} -> {} among {}", from, to, classes.size()));
  const uint16_t c = cell(from, to);
  CpuMatrixPair p{from, to, !(c & kVendorBit)};
  if (!p.same_vendor) return p;
  p.missing = c & kMissingMask;
  if (c & kUnknownBit) {
    const HostCpu& a = representative(from);
    const HostCpu& b = representative(to);
    p.unknown = ((classes[from].features - b.features - hypervisor) & b.unknown).count() +
                maybe_seen(a, b, non_migratable, hypervisor).count();
  }
  return p;
}

const VendorBaseline& CpuMatrix::baseline_of(size_t i) const {
  for (const auto& b : baselines)
    if (std::binary_search(b.hosts.begin(), b.hosts.end(), i)) return b;
  throw Error(fmt::format("matrix: host '{}' is in no baseline group", hosts.at(i).host));
}

CpuMatrix compute_cpu_matrix(std::vector<HostCpu> cpus, std::vector<std::shared_ptr<const HostFacts>> facts,
                             const CpuCatalog& catalog) {
  if (facts.size() != cpus.size())
    throw Error(fmt::format("matrix: {} CPUs but {} hosts' facts", cpus.size(), facts.size()));
  CpuMatrix m;
  m.non_migratable = catalog.non_migratable();
  m.hypervisor = hypervisor_bit(catalog);
  m.hosts = std::move(cpus);
  group_classes(m);
  for (const CpuClass& c : m.classes) m.class_facts.push_back(std::move(facts[c.hosts.front()]));
  facts = {};
  compute_class_cells(m);
  compute_baselines(m, catalog);
  return m;
}

CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& facts, const CpuCatalog& catalog) {
  std::vector<HostCpu> cpus;
  std::vector<std::shared_ptr<const HostFacts>> kept;
  std::vector<std::string> failed;
  cpus.reserve(facts.size());
  for (const HostFacts& h : facts) {
    try {
      cpus.push_back(resolve_host_cpu(h, catalog));
      kept.push_back(std::make_shared<const HostFacts>(explanation_facts(h)));
    } catch (const Error& e) {
      failed.push_back(e.what());  // names the host
    }
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot resolve the CPU of {} host{}: {}", failed.size(),
                            failed.size() == 1 ? "" : "s", join(failed, "; ")),
                "no pair is judged on a guess: give such a host a CPU source, or leave it out (preflight matrix "
                "HOST...)");
  return compute_cpu_matrix(std::move(cpus), std::move(kept), catalog);
}

CpuMatrixPairFeatures pair_features(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog&) {
  if (!p.same_vendor) return {};
  const HostCpu& from = m.representative(p.from);
  const HostCpu& to = m.representative(p.to);
  const CpuFeatureSet lacking = m.classes[p.from].features - to.features - m.hypervisor;
  CpuMatrixPairFeatures out{lacking - to.unknown, lacking & to.unknown};
  out.unknown |= maybe_seen(from, to, m.non_migratable, m.hypervisor);
  return out;
}

std::vector<MissingFeature> explain_pair(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog) {
  if (!p.same_vendor) return {};
  const HostCpu& from = m.representative(p.from);
  const HostCpu& to = m.representative(p.to);
  std::vector<MissingFeature> out =
      explain_missing(m.classes[p.from].features - m.hypervisor, to, *m.class_facts[p.to], &from, catalog);
  // Known missing first, then those TO cannot tell (explain_missing keeps feature order).
  std::stable_partition(out.begin(), out.end(), [](const MissingFeature& f) { return f.cause != MissingCause::unknown; });
  const CpuFeatureSet maybe = maybe_seen(from, to, m.non_migratable, m.hypervisor);
  for (MissingFeature& f : explain_missing(maybe, from, *m.class_facts[p.from], nullptr, catalog)) out.push_back(std::move(f));
  return out;
}

}  // namespace preflight
