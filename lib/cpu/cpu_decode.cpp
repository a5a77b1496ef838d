#include "cpu/cpu_decode.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"

namespace preflight {

namespace {

const CpuidLeaf* find_leaf(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf) {
  for (const auto& l : leaves)
    if (l.leaf == leaf && l.subleaf == subleaf) return &l;
  return nullptr;
}

uint32_t reg_of(const CpuidLeaf& l, CpuRegister r) {
  switch (r) {
    case CpuRegister::eax: return l.eax;
    case CpuRegister::ebx: return l.ebx;
    case CpuRegister::ecx: return l.ecx;
    case CpuRegister::edx: return l.edx;
  }
  return 0;
}

void append_reg(std::string& s, uint32_t r) {
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((r >> (8 * i)) & 0xff);
    if (c) s.push_back(c);
  }
}

// libvirt's score of a candidate (virCPUx86CompareCandidateFeatureList): its
// feature list is the required features, then the disabled ones (the model's
// removed features the CPU lacks included); each disabled
// one costs an increasing penalty (2, 3, ...) instead of 1. The scan stops at
// the shrinking count of enabled entries, so trailing disabled features can go
// uncounted; libvirt 9.0 behaves exactly so and agreement needs the same.
struct Score {
  size_t total = 0;
  size_t disabled = 0;
};

Score score_of(const DecodedCpu& c, bool guest) {
  const size_t required = c.required.count();
  size_t enabled = required + c.disabled.count() + c.removed_disabled.size();
  if (!guest) return {enabled, 0};
  size_t disabled = 0, penalty = 2;
  for (size_t i = 0; i < enabled; ++i) {
    if (i >= required) {
      --enabled;
      disabled += penalty++;
    }
  }
  return {enabled + disabled, disabled};
}

bool matches_signature(const CpuModel& m, const CpuSignature& s) {
  return std::any_of(m.signatures.begin(), m.signatures.end(),
                     [&](const CpuModelSignature& sig) { return sig.matches(s.family, s.model, s.stepping.value_or(0)); });
}

// Whether the CPU declares (leaf, subleaf), so that its absence from `leaves`
// means the input did not carry it. Sub-leaves follow cpuid_enumerate.hpp's rules;
// when the sub-leaf 0 (or leaf) that declares them is itself missing, they count
// as declared: the input cannot tell.
bool declared(const std::vector<CpuidLeaf>& leaves, uint32_t leaf, uint32_t subleaf) {
  const CpuidLeaf* top = find_leaf(leaves, leaf & 0xffff0000U, 0);
  if (!top || leaf > top->eax) return false;
  if (subleaf == 0) return true;
  auto bit_of = [&](uint32_t l, uint32_t CpuidLeaf::*reg, uint32_t bit) {
    const CpuidLeaf* x = find_leaf(leaves, l, 0);
    return !x || bit >= 32 || ((x->*reg >> bit) & 1U);
  };
  switch (leaf) {
    case 0x7: {
      const CpuidLeaf* l7 = find_leaf(leaves, 7, 0);
      return !l7 || subleaf <= l7->eax;
    }
    case 0xf: return bit_of(0xf, &CpuidLeaf::edx, subleaf);
    case 0x10: return bit_of(0x10, &CpuidLeaf::ebx, subleaf);
    case 0x12: return bit_of(7, &CpuidLeaf::ebx, 2);  // SGX
    case 0x14: {
      const CpuidLeaf* l14 = find_leaf(leaves, 0x14, 0);
      return !l14 || subleaf <= l14->eax;
    }
    default: return true;  // 0xD.1 and the rest: declared with their leaf
  }
}

}  // namespace

CpuFeatureSet undecidable_features(const std::vector<CpuidLeaf>& leaves, const std::vector<MsrValue>* msrs,
                                   const CpuCatalog& catalog) {
  CpuFeatureSet set;
  if (!find_leaf(leaves, 0, 0)) return set;
  const auto& features = catalog.features();
  for (size_t id = 0; id < features.size(); ++id) {
    const CpuFeature& f = features[id];
    if (f.is_msr ? !msrs : !find_leaf(leaves, f.leaf, f.subleaf) && declared(leaves, f.leaf, f.subleaf)) set.set(id);
  }
  return set;
}

CpuFeatureSet decode_cpuid(const std::vector<CpuidLeaf>& leaves, const std::vector<MsrValue>& msrs,
                           const CpuCatalog& catalog) {
  CpuFeatureSet set;
  const auto& features = catalog.features();
  for (size_t id = 0; id < features.size(); ++id) {
    const CpuFeature& f = features[id];
    if (f.is_msr) {
      for (const auto& m : msrs) {
        if (m.index != f.msr_index) continue;
        const uint32_t half = f.msr_high ? static_cast<uint32_t>(m.value >> 32) : static_cast<uint32_t>(m.value);
        if (half & f.mask) set.set(id);
      }
    } else if (const CpuidLeaf* l = find_leaf(leaves, f.leaf, f.subleaf)) {
      if (reg_of(*l, f.reg) & f.mask) set.set(id);
    }
  }
  return set;
}

std::string cpuid_vendor_string(const std::vector<CpuidLeaf>& leaves) {
  const CpuidLeaf* l = find_leaf(leaves, 0, 0);
  if (!l) return {};
  std::string s;
  append_reg(s, l->ebx);
  append_reg(s, l->edx);
  append_reg(s, l->ecx);
  return s;
}

std::optional<CpuSignature> cpuid_signature(const std::vector<CpuidLeaf>& leaves) {
  const CpuidLeaf* l = find_leaf(leaves, 1, 0);
  if (!l) return std::nullopt;
  const uint32_t base_family = (l->eax >> 8) & 0xf;
  CpuSignature s;
  s.family = base_family == 0xf ? base_family + ((l->eax >> 20) & 0xff) : base_family;
  s.model = (l->eax >> 4) & 0xf;
  if (base_family == 0x6 || base_family == 0xf) s.model |= ((l->eax >> 16) & 0xf) << 4;
  s.stepping = l->eax & 0xf;
  return s;
}

bool cpuid_hypervisor_bit(const std::vector<CpuidLeaf>& leaves) {
  const CpuidLeaf* l = find_leaf(leaves, 1, 0);
  return l && (l->ecx >> 31) & 1U;
}

DecodedCpu decode_model(const CpuFeatureSet& features, const DecodeOptions& options, const CpuCatalog& catalog) {
  const auto& models = catalog.models();
  const CpuFeatureSet drop = options.migratable ? catalog.non_migratable() : CpuFeatureSet{};
  DecodedCpu best;
  Score best_score;
  auto is_named = [&](const std::string& name) {
    return std::find(options.preferred.begin(), options.preferred.end(), name) != options.preferred.end();
  };
  for (size_t i = models.size(); i-- > 0;) {
    const CpuModel& m = models[i];
    if (options.vendor >= 0 && m.vendor >= 0 && m.vendor != options.vendor) continue;
    if (options.guest ? !m.decode_guest : !m.decode_host) continue;
    DecodedCpu c;
    c.model = &m;
    c.vendor = options.vendor;
    c.required = features - m.features;
    c.disabled = m.features - features;
    for (size_t id : m.removed)
      if (!features.test(id)) c.removed_disabled.push_back(id);
    // A host CPU cannot be described with disabled features (libvirt skips such
    // models); the model's removed features are listed after the choice.
    if (!options.guest && !c.disabled.empty()) continue;
    const bool named = is_named(m.name);
    if (named && options.preferred.size() == 1) {
      c.preferred = true;
      best = std::move(c);
      break;
    }
    const Score s = score_of(c, options.guest);
    bool better = !best.model;
    if (!better && options.signature) {  // x86DecodeUseCandidate: a matching signature first
      const bool best_matches = matches_signature(*best.model, *options.signature);
      const bool this_matches = matches_signature(m, *options.signature);
      if (best_matches != this_matches) {
        if (this_matches) {
          best = std::move(c);
          best_score = s;
        }
        continue;
      }
    }
    better = better || s.total < best_score.total || (s.total == best_score.total && s.disabled < best_score.disabled) ||
             (named && s.disabled < best_score.disabled);
    if (better) {
      best = std::move(c);
      best_score = s;
    }
  }
  if (!best.model) {
    throw Error(fmt::format("CPU decode: no model of {} fits these CPU features", catalog.dir()),
                "check the CPU vendor and the cpu_map folder");
  }
  best.required -= drop;
  best.disabled -= drop;
  std::erase_if(best.removed_disabled, [&](size_t id) { return drop.test(id); });
  return best;
}

}  // namespace preflight
