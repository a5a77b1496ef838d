#pragma once
// CpuCatalog: the x86 CPU features, vendors and named models, read at run time
// from libvirt's cpu_map folder (index.xml and the files it includes for arch
// 'x86'). Nothing here is retyped from cpu_map; the only built-in names are a few
// Linux /proc/cpuinfo spellings that cpu_map does not list as aliases.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cpu/cpu_feature_set.hpp"
#include "cpu/name_index.hpp"

namespace preflight {

inline constexpr const char* kDefaultCpuMapDir = "/usr/share/libvirt/cpu_map";

enum class CpuRegister : uint8_t { eax, ebx, ecx, edx };

struct CpuFeature {
  std::string name;  // libvirt spelling
  std::vector<std::string> aliases;
  bool migratable = true;  // false for migratable='no'
  bool is_msr = false;
  // CPUID bit (is_msr false): leaf (eax_in), subleaf (ecx_in), register, mask.
  uint32_t leaf = 0, subleaf = 0;
  CpuRegister reg = CpuRegister::eax;
  // MSR bit (is_msr true): index; mask applies to the low (eax) or high (edx) half.
  uint32_t msr_index = 0;
  bool msr_high = false;
  uint32_t mask = 0;  // exactly one bit
};

struct CpuVendor {
  std::string name;    // Intel
  std::string string;  // GenuineIntel (CPUID leaf 0)
};

// A <signature> of a model: the CPUs it was made for.
struct CpuModelSignature {
  uint32_t family = 0, model = 0;
  uint16_t steppings = 0;  // bit n: stepping n matches; 0: any stepping
  bool matches(uint32_t f, uint32_t m, uint32_t stepping) const {
    return f == family && m == model && (steppings == 0 || (stepping < 16 && ((steppings >> stepping) & 1U)));
  }
};

struct CpuModel {
  std::string name;
  int vendor = -1;  // index into vendors(); -1 when the model names none
  // Its own <signature>s, else its ancestor's (as libvirt: own ones replace).
  std::vector<CpuModelSignature> signatures;
  CpuFeatureSet features;  // what a CPU of this model has (without `removed`)
  // Features QEMU dropped from the model: a CPU decoded as this model that lacks
  // them lists them as disabled, as libvirt does.
  std::vector<size_t> removed;
  bool decode_host = true;   // <decode host=...>: may name a host CPU
  bool decode_guest = true;  // <decode guest=...>: may name a guest CPU or a baseline
};

class CpuCatalog {
 public:
  // Reads `dir` (empty = kDefaultCpuMapDir). Throws Error naming the file and what
  // is wrong when the folder or a file cannot be read or parsed.
  static CpuCatalog load(const std::string& dir = {});

  const std::string& dir() const { return dir_; }
  const std::vector<CpuFeature>& features() const { return features_; }
  const std::vector<CpuVendor>& vendors() const { return vendors_; }
  // In cpu_map order (libvirt walks them newest, i.e. last, first).
  const std::vector<CpuModel>& models() const { return models_; }

  // By libvirt name, alias, or any spelling differing in case or in '_' '-' '.'
  // (sse4_1, sse4-1, sse4.1, SSE4_1); also Linux flag names. nullopt when unknown.
  std::optional<size_t> find_feature(std::string_view name) const;
  // Same; throws Error "unknown CPU feature 'x' (did you mean 'y'?)" naming `where`.
  size_t feature_id(std::string_view name, std::string_view where = {}) const;
  const CpuModel* find_model(std::string_view name) const;
  // Its index into models(); nullopt when unknown.
  std::optional<size_t> find_model_id(std::string_view name) const;
  // Throws Error naming the cpu_map folder searched.
  const CpuModel& model(std::string_view name) const;
  // By name (Intel) or CPUID string (GenuineIntel); -1 when unknown.
  int find_vendor(std::string_view name_or_string) const;

  // Names of the members of `set`, in cpu_map feature order.
  std::vector<std::string> names(const CpuFeatureSet& set) const;
  // The set of the named features; throws as feature_id does.
  CpuFeatureSet set_of(const std::vector<std::string>& names, std::string_view where = {}) const;
  CpuFeatureSet non_migratable() const { return non_migratable_; }

 private:
  friend class CpuCatalogLoader;
  std::string dir_;
  std::vector<CpuFeature> features_;
  std::vector<CpuVendor> vendors_;
  std::vector<CpuModel> models_;
  std::unordered_map<std::string, size_t> feature_keys_;  // normalised spelling -> id
  // Names and aliases exactly as cpu_map spells them: the fast path of find_feature.
  NameIndex exact_names_;
  NameIndex model_index_;  // model name -> index into models_
  CpuFeatureSet non_migratable_;
};

}  // namespace preflight
