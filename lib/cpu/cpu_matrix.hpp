#pragma once
// CPU compatibility of a fleet (`preflight matrix`), by CPU class: hosts whose
// guest-visible CPU is identical (vendor, migratable features, and the features
// their facts cannot tell) form one class, and each ordered pair of classes FROM ->
// TO says whether a guest that sees FROM's whole host CPU (host-model or
// host-passthrough, migratable features only) can move to TO. The class matrix is
// stored compact, 2 bytes a pair (10,000 distinct CPUs: 200 MB); a pair's counts
// are decoded on demand (pair), its features named on demand (pair_features,
// explain_pair), for the pairs shown. Pure, no I/O.
#include <cstdint>
#include <memory>
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

// How many ordered pairs of distinct classes are of each kind (a class's row:
// its guests' destinations).
struct CpuPairCounts {
  size_t ok = 0, missing = 0, unknown = 0, vendor = 0;  // unknown: CpuMatrixPair::undecided
  size_t total() const { return ok + missing + unknown + vendor; }
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
  std::vector<VendorBaseline> baselines;  // one per vendor, in order of first appearance
  CpuFeatureSet non_migratable;         // the catalog's migratable='no' features (invtsc, xsaves)
  CpuFeatureSet hypervisor;             // the CPUID hypervisor bit (hypervisor_bit)
  // Per class, what explain_missing reads of its first host's facts (explanation_facts;
  // classes share them).
  std::vector<std::shared_ptr<const HostFacts>> class_facts;
  // The class matrix, classes.size() squared, row FROM, column TO: bits 0-13 the
  // features TO is known to lack, bit 14 some feature cannot be told, bit 15 the
  // vendors differ (both known; an unknown vendor sets bit 14); the diagonal is 0.
  std::vector<uint16_t> cells;
  CpuPairCounts counts;                 // over every ordered pair of distinct classes
  std::vector<CpuPairCounts> row_counts;  // per class FROM: its pairs

  static constexpr uint16_t kMissingMask = 0x3fff, kUnknownBit = 0x4000, kVendorBit = 0x8000;

  // The pair of classes FROM -> TO (from != to), its unknown count computed when
  // the pair has any.
  CpuMatrixPair pair(size_t from, size_t to) const;
  uint16_t cell(size_t from, size_t to) const { return cells[from * classes.size() + to]; }
  size_t pair_count() const { return classes.size() * (classes.empty() ? 0 : classes.size() - 1); }
  // The baseline group of host `i`.
  const VendorBaseline& baseline_of(size_t i) const;
  // A guest CPU set: the host's features that libvirt migrates.
  CpuFeatureSet guest_features(size_t i) const { return hosts[i].features - non_migratable; }
  // The host that stands for class `c` (its first).
  const HostCpu& representative(size_t c) const { return hosts[classes[c].hosts.front()]; }
  // Every pair ok / some pair known to fail.
  bool all_ok() const { return counts.ok == counts.total(); }
  bool some_known_to_fail() const { return counts.missing + counts.vendor > 0; }
};

// The matrix of hosts given as resolved CPUs, `facts[i]` what explain_missing reads
// of host i (explanation_facts of its facts, or the facts whole; hosts may share
// one); both are taken over (only the classes' first hosts' facts are kept).
CpuMatrix compute_cpu_matrix(std::vector<HostCpu> cpus, std::vector<std::shared_ptr<const HostFacts>> facts,
                             const CpuCatalog& catalog);
// The same from facts. Throws Error naming every host whose CPU cannot be resolved
// (and why), so that no pair is judged on a guess.
CpuMatrix compute_cpu_matrix(const std::vector<HostFacts>& hosts, const CpuCatalog& catalog);

// Fills m.cells, m.counts and m.row_counts from m.classes (the class matrix's
// bitset pass; compute_cpu_matrix calls it; bench/fleet times it).
void compute_class_cells(CpuMatrix& m);

// The features of pair `p` as sets, without their causes (cheap enough for every
// pair): `missing` TO is known to lack, `unknown` cannot be told; their counts are
// p.missing and p.unknown. Both empty when the vendors differ.
struct CpuMatrixPairFeatures {
  CpuFeatureSet missing, unknown;
};
CpuMatrixPairFeatures pair_features(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog);

// The features of pair `p`, each with its cause (read from m.class_facts): first
// the p.missing known to be missing, then the p.unknown that cannot be told.
std::vector<MissingFeature> explain_pair(const CpuMatrix& m, const CpuMatrixPair& p, const CpuCatalog& catalog);

}  // namespace preflight
