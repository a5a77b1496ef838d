#include "cpu/cpu_matrix.hpp"

#include <algorithm>
#include <bit>
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

// The sets the class matrix's inner loop reads, per class, side by side.
struct ClassSets {
  std::vector<CpuFeatureSet> guest;    // what its guests see, without the hypervisor bit (QEMU sets it for every guest)
  std::vector<CpuFeatureSet> known;    // what its hosts are known to have, or cannot tell
  std::vector<CpuFeatureSet> maybe;    // what a guest may see that its facts cannot tell (migratable)
  std::vector<int> vendor;             // an index per vendor name; -1 unknown
  // What its hosts' facts cannot tell, as an index into `unknowns` (a fleet has few
  // distinct ones), and whether one is a subset of another (unknowns.size() squared).
  std::vector<uint32_t> unknown_id;
  std::vector<CpuFeatureSet> unknowns;
  std::vector<char> unknown_subset;
  bool some_unknown = false;           // without any unknown feature, no pair can be undecided
};

// Row `a` of the class matrix; `Tell`: some class has a feature its facts cannot
// tell (else no pair is undecided). Counts without a branch on the cell: a fleet's
// cells are ok or not at random, and a mispredicted branch costs more than the
// popcounts.
template <bool Tell>
[[gnu::always_inline]] inline void fill_row(CpuMatrix& m, const ClassSets& s, size_t a) {
  const size_t n = m.classes.size();
  uint16_t* row = m.cells.data() + a * n;
  const CpuFeatureSet g = s.guest[a];  // a copy: in registers, not reloaded after each store
  const CpuFeatureSet* known = s.known.data();
  const CpuFeatureSet maybe = s.maybe[a];
  // Undecided: TO cannot tell a feature FROM's guests see (whether FROM's guest set
  // meets TO's unknown set: once per distinct unknown set), or FROM's guests may see
  // a feature its facts cannot tell that TO is not known to have (never when FROM's
  // unknown set is within TO's: `maybe` is within FROM's).
  const uint32_t* unknown_id = s.unknown_id.data();
  const size_t d = s.unknowns.size();
  const char* within = s.unknown_subset.data() + s.unknown_id[a] * d;
  thread_local std::vector<char> meets;
  if constexpr (Tell) {
    meets.resize(d);
    for (size_t u = 0; u < d; ++u) meets[u] = g.intersects(s.unknowns[u]);
  }
  const int* vendors = s.vendor.data();
  const int va = s.vendor[a];
  size_t ok = 0, missing = 0, vendor = 0;
  for (size_t b = 0; b < n; ++b) {
    const int vb = vendors[b];
    if (va >= 0 && vb >= 0 && va != vb) {
      row[b] = CpuMatrix::kVendorBit;
      ++vendor;
      continue;
    }
    // The features TO is known to lack.
    const CpuFeatureSet& k = known[b];
    size_t lacking = 0;
    for (size_t i = 0; i < CpuFeatureSet::kWords; ++i) lacking += static_cast<size_t>(std::popcount(g.word(i) & ~k.word(i)));
    // A vendor that is not known (a CPU description naming none) cannot be told either:
    // the features still decide a known miss.
    bool told = va < 0 || vb < 0;
    if constexpr (Tell) {
      const uint32_t u = unknown_id[b];
      told = told || meets[u] || (!within[u] && !maybe.subset_of(k));
    }
    const uint16_t cell = static_cast<uint16_t>(lacking | (told ? CpuMatrix::kUnknownBit : 0));
    row[b] = cell;
    missing += (cell & CpuMatrix::kMissingMask) != 0;
    ok += cell == 0;
  }
  // The diagonal went through the loop: a class lacks nothing of itself (counted ok),
  // or its vendor is unknown (counted in none of ok, missing, vendor).
  row[a] = 0;
  if (va >= 0) --ok;
  m.row_counts[a] = CpuPairCounts{ok, missing, n - 1 - ok - missing - vendor, vendor};
}

// Rows [first, last). Inlined into a copy built for the POPCNT instruction and a
// generic one (x86-64's baseline has no POPCNT: std::popcount is then a library
// call per word, 5x slower).
[[gnu::always_inline]] inline void fill_rows(CpuMatrix& m, const ClassSets& s, size_t first, size_t last) {
  for (size_t a = first; a < last; ++a) {
    if (s.some_unknown) fill_row<true>(m, s, a);
    else fill_row<false>(m, s, a);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("popcnt")]] void fill_rows_popcnt(CpuMatrix& m, const ClassSets& s, size_t first, size_t last) {
  fill_rows(m, s, first, last);
}
#endif

void fill_rows_generic(CpuMatrix& m, const ClassSets& s, size_t first, size_t last) { fill_rows(m, s, first, last); }

}  // namespace

void compute_class_cells(CpuMatrix& m) {
  const size_t n = m.classes.size();
  ClassSets s;
  s.guest.resize(n), s.known.resize(n), s.maybe.resize(n), s.vendor.resize(n), s.unknown_id.resize(n);
  std::vector<std::string> vendors;
  std::map<CpuFeatureSet, uint32_t> unknown_ids;
  for (size_t c = 0; c < n; ++c) {
    const HostCpu& h = m.representative(c);
    s.guest[c] = m.classes[c].features - m.hypervisor;
    s.known[c] = h.features | h.unknown;
    // HostCpu::unknown never overlaps the silicon, so neither the features.
    auto [u, fresh] = unknown_ids.try_emplace(h.unknown, static_cast<uint32_t>(s.unknowns.size()));
    if (fresh) s.unknowns.push_back(h.unknown);
    s.unknown_id[c] = u->second;
    s.maybe[c] = h.unknown - m.non_migratable - m.hypervisor;
    s.some_unknown = s.some_unknown || !h.unknown.empty();
    if (h.vendor_name.empty()) {
      s.vendor[c] = -1;
      continue;
    }
    auto at = std::find(vendors.begin(), vendors.end(), h.vendor_name);
    s.vendor[c] = static_cast<int>(at - vendors.begin());
    if (at == vendors.end()) vendors.push_back(h.vendor_name);
  }
  const size_t d = s.unknowns.size();
  s.unknown_subset.resize(d * d);
  for (size_t a = 0; a < d; ++a)
    for (size_t b = 0; b < d; ++b) s.unknown_subset[a * d + b] = s.unknowns[a].subset_of(s.unknowns[b]);
  m.cells.assign(n * n, 0);
  m.row_counts.assign(n, {});
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("popcnt")) fill_rows_popcnt(m, s, 0, n);
  else fill_rows_generic(m, s, 0, n);
#else
  fill_rows_generic(m, s, 0, n);
#endif
  m.counts = {};
  for (const CpuPairCounts& r : m.row_counts) {
    m.counts.ok += r.ok;
    m.counts.missing += r.missing;
    m.counts.unknown += r.unknown;
    m.counts.vendor += r.vendor;
  }
}

CpuMatrixPair CpuMatrix::pair(size_t from, size_t to) const {
  if (from >= classes.size() || to >= classes.size() || from == to)
    throw Error(fmt::format("matrix: no pair of classes {} -> {} among {}", from, to, classes.size()));
  const uint16_t c = cell(from, to);
  const bool vendor_unknown = representative(from).vendor_name.empty() || representative(to).vendor_name.empty();
  CpuMatrixPair p{from, to, !(c & kVendorBit) && !vendor_unknown, vendor_unknown};
  if (p.vendors_differ()) return p;
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
  if (p.vendors_differ()) return {};
  const HostCpu& from = m.representative(p.from);
  const HostCpu& to = m.representative(p.to);
  const CpuFeatureSet lacking = m.classes[p.from].features - to.features - m.hypervisor;
  CpuMatrixPairFeatures out{lacking - to.unknown, lacking & to.unknown};
  out.unknown |= maybe_seen(from, to, m.non_migratable, m.hypervisor);
  return out;
}

std::vector<MissingFeature> explain_pair(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog) {
  if (p.vendors_differ()) return {};
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
