#pragma once
// CPU compatibility of a fleet (`preflight matrix`), by CPU class: hosts whose
// guest-visible CPU is identical (vendor, migratable features, and the features
// their facts cannot tell) form one class, and each ordered pair of classes FROM ->
// TO says whether a guest that sees FROM's whole host CPU (host-model or
// host-passthrough, migratable features only) can move to TO. Pairs hold counts
// only (bitset arithmetic); explain_pair names the features. Pure, no I/O.
#include <string>
#include <vector>

#include "cpu/cpu_compare.hpp"

namespace preflight {

// Hosts with an identical guest-visible CPU. Its first host stands for it.
struct CpuClass {
  std::vector<size_t> hosts;  // indexes into CpuMatrix::hosts, in input order
  CpuFeatureSet features;     // the guest-visible (migratable) features
};

struct CpuMatrixPair {
  size_t from = 0, to = 0;   // indexes into CpuMatrix::classes
  bool same_vendor = false;  // both vendors known and equal
  // A side's vendor is unknown (a CPU description naming none, e.g. model qemu64):
  // the features are still compared, and the pair is never a vendor mismatch.
  bool vendor_unknown = false;
  size_t missing = 0;        // features TO is known to lack of FROM's guest CPU (0 when the vendors differ)
  // Features neither known to be missing nor known present: TO's unknown ones FROM
  // has, and FROM's unknown ones TO is not known to have (the guest may see them).
  size_t unknown = 0;
  bool ok() const { return same_vendor && missing == 0 && unknown == 0; }
  // Both vendors known and different: no guest can move.
  bool vendors_differ() const { return !same_vendor && !vendor_unknown; }
  // Nothing is known to be missing, but a feature one side's facts cannot tell, or
  // a vendor, could be.
  bool undecided() const { return !vendors_differ() && missing == 0 && (unknown > 0 || vendor_unknown); }
};

// The common CPU of the hosts of one vendor (guests cannot cross vendors).
struct VendorBaseline {
  std::string vendor;         // catalog name; "unknown" when a host's vendor is not known
  std::vector<size_t> hosts;  // indexes into CpuMatrix::hosts, in input order
  CpuFeatureSet features;     // migratable features every host of the group has
  std::string model;          // the closest named CPU model; empty when none could be named
};

struct CpuMatrix {
  std::vector<HostCpu> hosts;           // in input order
  std::vector<CpuClass> classes;        // in order of their first host
  std::vector<size_t> class_of;         // per host: its index into classes
  std::vector<CpuMatrixPair> pairs;     // every ordered pair of distinct classes, by from then to
  std::vector<VendorBaseline> baselines;  // one per vendor, in order of first appearance
  CpuFeatureSet non_migratable;         // the catalog's migratable='no' features (invtsc, xsaves)

  // The pair of classes FROM -> TO (from != to).
  const CpuMatrixPair& pair(size_t from, size_t to) const;
  // The baseline group of host `i`.
  const VendorBaseline& baseline_of(size_t i) const;
  // A guest CPU set: the host's features that libvirt migrates.
  CpuFeatureSet guest_features(size_t i) const { return hosts[i].features - non_migratable; }
  // The host that stands for class `c` (its first).
  const HostCpu& representative(size_t c) const { return hosts[classes[c].hosts.front()]; }
  // Every pair ok / some pair known to fail.
  bool all_ok() const;
  bool some_known_to_fail() const;
};

// Throws Error naming every host whose CPU cannot be resolved (and why), so that
// no pair is judged on a guess.
CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& hosts, const CpuCatalog& catalog);

// The features of pair `p` as sets, without their causes (cheap enough for every
// pair): `missing` TO is known to lack, `unknown` cannot be told; their counts are
// p.missing and p.unknown. Both empty when the vendors differ.
struct CpuMatrixPairFeatures {
  CpuFeatureSet missing, unknown;
};
CpuMatrixPairFeatures pair_features(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog);

// The features of pair `p`, each with its cause (read from the facts of the classes'
// representatives, `facts` as given to compute_cpu_matrix): first the p.missing
// known to be missing, then the p.unknown that cannot be told.
std::vector<MissingFeature> explain_pair(const CpuMatrix& m, const CpuMatrixPair& p,
                                         const std::vector<HostFacts>& facts, const CpuCatalog& catalog);

}  // namespace preflight
