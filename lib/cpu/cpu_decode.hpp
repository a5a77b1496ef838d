#pragma once
// Decoding: raw CPUID/MSR values into a feature set, and a feature set into the
// closest named model the way libvirt's x86Decode does it.
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"
#include "facts/cpu_definition.hpp"
#include "facts/host_facts.hpp"

namespace preflight {

// Every catalog feature whose CPUID (leaf, subleaf, register) bit is set in
// `leaves`, or whose MSR bit is set in `msrs`. Leaves absent from `leaves` read as
// 0, as libvirt reads them; undecidable_features says which of those are unknown.
CpuFeatureSet decode_cpuid(const std::vector<CpuidLeaf>& leaves, const std::vector<MsrValue>& msrs,
                           const CpuCatalog& catalog);

// The catalog features `leaves` and `msrs` cannot tell: a CPUID feature whose
// (leaf, subleaf) the CPU declares (leaf <= leaf 0 EAX, or <= 0x80000000 EAX for
// extended leaves; sub-leaves as cpuid_enumerate.hpp enumerates them: 7 and 0x14
// up to their sub-leaf 0 EAX, 0xF/0x10 by the bits of sub-leaf 0, 0x12 when SGX
// is set, others with their leaf) but `leaves` lacks; every MSR feature when `msrs` is null (the
// MSRs were not read). A leaf beyond the declared range is absent, not unknown:
// the CPU itself says it has none. Empty when leaf 0 is missing too (nothing is
// decodable then, and callers refuse such input).
CpuFeatureSet undecidable_features(const std::vector<CpuidLeaf>& leaves, const std::vector<MsrValue>* msrs,
                                   const CpuCatalog& catalog);
// Leaf 0's vendor string ("GenuineIntel"); empty when leaf 0 is missing.
std::string cpuid_vendor_string(const std::vector<CpuidLeaf>& leaves);
// Display family/model and stepping from leaf 1; nullopt when leaf 1 is missing.
std::optional<CpuSignature> cpuid_signature(const std::vector<CpuidLeaf>& leaves);
// Leaf 1 ECX bit 31: this CPU is a virtual CPU of a hypervisor.
bool cpuid_hypervisor_bit(const std::vector<CpuidLeaf>& leaves);

struct DecodeOptions {
  int vendor = -1;            // catalog vendor index; -1 = any vendor's models
  // Models the inputs name, distinct, in input order. One: taken outright when
  // usable. Several: each wins over a model with more disabled features.
  std::vector<std::string> preferred;
  bool guest = true;          // use models with decode guest='on' (else host='on')
  bool migratable = false;    // drop non-migratable features from the lists
  // The CPU's own signature (CPUID leaf 1). When set, as in libvirt's x86Decode:
  // once a model whose cpu_map <signature> matches it is found, only matching
  // models are considered, and a matching model beats a non-matching one whatever
  // the scores. Baselines of several CPUs leave it unset.
  std::optional<CpuSignature> signature;
};

// A named model plus the differences libvirt would list.
struct DecodedCpu {
  const CpuModel* model = nullptr;  // never null after decode_model
  int vendor = -1;
  CpuFeatureSet required;           // the CPU has them, the model does not
  CpuFeatureSet disabled;           // the model has them, the CPU does not
  std::vector<size_t> removed_disabled;  // the model's `removed` features the CPU lacks
  bool preferred = false;           // the one model all inputs named (fallback='forbid')

  size_t listed() const { return required.count() + disabled.count() + removed_disabled.size(); }
  // Everything a guest with this definition sees.
  CpuFeatureSet features() const { return (model->features - disabled) | required; }
};

// libvirt 9.0's choice: models walked newest (last in cpu_map) first; models of
// another vendor and models not meant for this kind of CPU skipped; a single
// preferred model wins outright; then a model matching options.signature wins
// over one that does not; otherwise the lowest score, where required
// features count 1 and disabled ones an increasing penalty; ties keep the newer
// model. `features` must not be empty. Throws Error when no model is usable.
DecodedCpu decode_model(const CpuFeatureSet& features, const DecodeOptions& options, const CpuCatalog& catalog);

}  // namespace preflight
