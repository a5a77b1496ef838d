#pragma once
// Pairwise CPU compatibility of hosts (`preflight matrix`): for each ordered pair
// FROM -> TO, whether a guest that sees FROM's whole host CPU (host-model or
// host-passthrough, migratable features only) can move to TO. Pure, no I/O.
#include <string>
#include <vector>

#include "cpu/cpu_compare.hpp"

namespace preflight {

struct CpuMatrixPair {
  size_t from = 0, to = 0;  // indexes into CpuMatrix::hosts
  bool same_vendor = false;  // both vendors known and equal
  std::vector<MissingFeature> missing;  // what TO lacks of FROM's guest CPU; empty when the vendors differ
  // Of `missing`, how many cannot be told: TO's unknown features FROM has, then
  // (at the end of `missing`, detail on FROM) FROM's unknown ones TO is not known
  // to have. Neither is known to be missing.
  size_t unknown = 0;
  bool ok() const { return same_vendor && missing.empty(); }
  // Nothing is known to be missing, but TO's facts cannot tell some features.
  bool undecided() const { return same_vendor && !missing.empty() && unknown == missing.size(); }
};

// The common CPU of the hosts of one vendor (guests cannot cross vendors).
struct VendorBaseline {
  std::string vendor;         // catalog name; "unknown" when a host's vendor is not known
  std::vector<size_t> hosts;  // indexes into CpuMatrix::hosts, in input order
  CpuFeatureSet features;     // migratable features every host of the group has
  std::string model;          // the closest named CPU model; empty when none could be named
};

struct CpuMatrix {
  std::vector<HostCpu> hosts;         // in input order
  std::vector<CpuMatrixPair> pairs;   // every ordered pair of distinct hosts, by from then to
  std::vector<VendorBaseline> baselines;  // one per vendor, in order of first appearance

  // The pair FROM -> TO (from != to).
  const CpuMatrixPair& pair(size_t from, size_t to) const;
  // The baseline group of host `i`.
  const VendorBaseline& baseline_of(size_t i) const;
  // A guest CPU set: the host's features that libvirt migrates.
  CpuFeatureSet guest_features(size_t i) const { return hosts[i].features - non_migratable; }

  CpuFeatureSet non_migratable;  // the catalog's migratable='no' features (invtsc, xsaves)
};

// Throws Error naming every host whose CPU cannot be resolved (and why), so that
// no pair is judged on a guess.
CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& hosts, const CpuCatalog& catalog);

}  // namespace preflight
