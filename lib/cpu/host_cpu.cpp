#include "cpu/host_cpu.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "cpu/cpu_decode.hpp"
#include "cpu/cpu_errata.hpp"
#include "cpu/firmware_switch.hpp"
#include "facts/cpu_xml.hpp"

namespace preflight {

const std::vector<FirmwareSwitch>& firmware_switches() {
  static const std::vector<FirmwareSwitch> switches = {
      {"Intel VT-x / AMD-V (virtualization technology)", &FirmwareFacts::virtualization, {"vmx", "svm"}},
      {"NX / XD (execute disable bit)", &FirmwareFacts::nx, {"nx"}},
      {"AES-NI", &FirmwareFacts::aes, {"aes"}},
      {"x2APIC", &FirmwareFacts::x2apic, {"x2apic"}},
      {"SGX (software guard extensions)",
       &FirmwareFacts::sgx,
       {"sgx", "sgx1", "sgx2", "sgxlc", "sgx-exinfo", "sgx-debug", "sgx-mode64", "sgx-provisionkey", "sgx-tokenkey",
        "sgx-kss"}},
  };
  return switches;
}

namespace {

int vendor_index(const std::string& reported, const CpuCatalog& catalog) { return catalog.find_vendor(reported); }

}  // namespace

namespace {

// A <feature> as the expansion applies it: policies reduced to their effect.
enum class FeatureEffect : uint8_t { add, remove, add_if_host };
struct FeatureEntry {
  uint32_t id;
  FeatureEffect effect;
};

// Collects a definition's <feature>s in order; libvirt refuses a feature named twice.
class FeatureList {
 public:
  // `scratch` (cleared here) holds the entries: a caller resolving thousands of
  // definitions passes the same one and allocates once.
  FeatureList(const CpuCatalog& catalog, bool honour_policies, std::string_view where,
              std::vector<FeatureEntry>* scratch = nullptr)
      : catalog_(catalog), honour_(honour_policies), where_(where), entries_(scratch ? *scratch : own_) {
    entries_.clear();
  }
  FeatureList(const FeatureList&) = delete;
  FeatureList& operator=(const FeatureList&) = delete;

  void add(std::string_view name, std::string_view policy) {
    if (!policy.empty()) check_feature_policy(name, policy, std::string(where_));
    const size_t id = catalog_.feature_id(name, where_);
    if (seen_.test(id))
      throw Error(fmt::format("{}: CPU feature '{}' specified more than once", where_, name),
                  "list each feature once (libvirt refuses such a definition too)");
    seen_.set(id);
    entries_.push_back({static_cast<uint32_t>(id), effect_of(name, policy)});
  }

  // The model's features (none without a model) with the entries applied in order.
  // With model_mask, only the model's features in it count (what QEMU keeps).
  CpuFeatureSet expand(const std::string& model, const CpuFeatureSet* host,
                       const CpuFeatureSet* model_mask = nullptr) const {
    CpuFeatureSet set;
    if (!model.empty()) {
      try {
        set = catalog_.model(model).features;
      } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", where_, e.what()));
      }
      if (model_mask) set &= *model_mask;
    }
    for (const FeatureEntry& e : entries_) {
      switch (e.effect) {
        case FeatureEffect::add: set.set(e.id); break;
        case FeatureEffect::remove: set.reset(e.id); break;
        case FeatureEffect::add_if_host:
          if (host && host->test(e.id)) set.set(e.id);
          break;
      }
    }
    return set;
  }

 private:
  FeatureEffect effect_of(std::string_view name, std::string_view p) const {
    if (!honour_ || p.empty() || p == "require" || p == "force") return FeatureEffect::add;
    if (p == "disable" || p == "forbid") return FeatureEffect::remove;
    if (p == "optional") return FeatureEffect::add_if_host;
    throw Error(fmt::format("{}: feature '{}' has unknown policy '{}'", where_, name, p),
                "use require, force, optional, disable or forbid");
  }

  const CpuCatalog& catalog_;
  bool honour_;
  std::string_view where_;
  CpuFeatureSet seen_;
  std::vector<FeatureEntry> own_;
  std::vector<FeatureEntry>& entries_;
};

// A host described by `def` (its features already expanded into `silicon`).
HostCpu describe_definition(const CpuDefinition& def, const CpuFeatureSet& silicon, const std::string& host,
                            const std::string& where, const CpuCatalog& catalog) {
  check_x86_arch(def.arch, where);  // the catalog is libvirt's x86 cpu_map
  HostCpu h;
  h.host = host;
  h.origin = CpuOrigin::libvirt_cpu;
  h.silicon = silicon;
  h.features = h.silicon;
  h.model = def.model;
  h.signature = def.signature;
  h.microcode = def.microcode;
  if (!def.vendor.empty()) {
    h.vendor = vendor_index(def.vendor, catalog);
    h.vendor_name = def.vendor;
    h.vendor_explicit = true;
    if (h.vendor < 0) {
      throw Error(fmt::format("{}: unknown CPU vendor '{}'", where, def.vendor),
                  fmt::format("vendors are those of {}/x86_vendors.xml", catalog.dir()));
    }
  } else if (const CpuModel* m = catalog.find_model(def.model); m && m->vendor >= 0) {
    h.vendor = m->vendor;
    h.vendor_name = catalog.vendors()[static_cast<size_t>(m->vendor)].name;
  }
  if (auto id = catalog.find_feature("hypervisor")) h.hypervisor = h.silicon.test(*id);
  return h;
}

}  // namespace

CpuFeatureSet expand_definition(const CpuDefinition& cpu, const CpuCatalog& catalog, bool honour_policies,
                                const CpuFeatureSet* host, const std::string& where) {
  FeatureList list(catalog, honour_policies, where);
  for (const auto& f : cpu.features) list.add(f.name, f.policy);
  return list.expand(cpu.model, host);
}

// A host CPU lists what it has; libvirt ignores policies there. A definition
// that says it is a guest CPU (mode=...) is read with its policies.
HostCpu resolve_cpu_definition(const CpuDefinition& def, const std::string& host, const std::string& where,
                               const CpuCatalog& catalog) {
  return describe_definition(def, expand_definition(def, catalog, !def.mode.empty(), nullptr, where), host, where,
                             catalog);
}

HostCpu resolve_cpu_element(const pugi::xml_node& node, const std::string& host, const std::string& where,
                            const CpuCatalog& catalog) {
  CpuDefinition def;
  parse_cpu_attributes(node, def);
  thread_local std::vector<FeatureEntry> scratch;
  FeatureList list(catalog, !def.mode.empty(), where, &scratch);
  read_cpu_element(node, def, where, [&list](std::string_view name, std::string_view policy) { list.add(name, policy); });
  return describe_definition(def, list.expand(def.model, nullptr), host, where, catalog);
}

CpuFeatureSet hypervisor_bit(const CpuCatalog& catalog) {
  CpuFeatureSet s;
  if (auto id = catalog.find_feature("hypervisor")) s.set(*id);
  return s;
}

HostCpu resolve_host_cpu(const HostFacts& host, const CpuCatalog& catalog) {
  HostCpu h;
  h.host = host.name;
  h.microcode = host.cpu.microcode.value_or("");
  if (const auto* leaves = host.cpu.cpuid.get(); leaves && !leaves->empty()) {
    h.origin = CpuOrigin::cpuid;
    const std::vector<MsrValue>* msrs = host.cpu.msrs.get();
    h.silicon = decode_cpuid(*leaves, msrs ? *msrs : std::vector<MsrValue>{}, catalog);
    h.unknown = undecidable_features(*leaves, msrs, catalog);
    h.msrs_reason = host.cpu.msrs.reason();
    const std::string vs = cpuid_vendor_string(*leaves);
    h.vendor = vendor_index(vs, catalog);
    h.vendor_name = h.vendor >= 0 ? catalog.vendors()[static_cast<size_t>(h.vendor)].name : vs;
    h.vendor_explicit = !vs.empty();
    h.signature = cpuid_signature(*leaves);
    h.hypervisor = cpuid_hypervisor_bit(*leaves);
    h.errata_off = errata_features(errata_of(h.vendor, h.signature, catalog), catalog) & h.silicon;
    h.silicon -= h.errata_off;
  } else if (const CpuDefinition* def = host.cpu.libvirt_cpu.get()) {
    const std::string mc = h.microcode;
    h = resolve_cpu_definition(*def, host.name, fmt::format("host '{}' ({})", host.name, host.source), catalog);
    if (!mc.empty()) h.microcode = mc;
  } else {
    throw Error(fmt::format("host '{}': CPU not known ({}; {})", host.name, host.cpu.cpuid.reason(),
                            host.cpu.libvirt_cpu.reason()),
                "collect the host's facts again, or give a CPU file");
  }
  if (h.vendor_name.empty() && host.cpu.vendor.known()) {
    h.vendor = vendor_index(host.cpu.vendor.value(), catalog);
    h.vendor_name = h.vendor >= 0 ? catalog.vendors()[static_cast<size_t>(h.vendor)].name : host.cpu.vendor.value();
    h.vendor_explicit = true;
  }
  for (const FirmwareSwitch& sw : firmware_switches()) {
    const Fact<bool>& on = host.firmware.*(sw.fact);
    if (!on.known() || on.value()) continue;
    for (const char* name : sw.features)
      if (auto id = catalog.find_feature(name)) h.firmware_off.set(*id);
  }
  h.firmware_off &= h.silicon;
  h.features = h.silicon - h.firmware_off;
  return h;
}

GuestCpu guest_cpu(const VmFacts& vm, const HostFacts& source, const CpuCatalog& catalog) {
  const HostCpu host = resolve_host_cpu(source, catalog);
  GuestCpu g;
  g.vendor = host.vendor;
  const std::string where = fmt::format("VM '{}' on host '{}'", vm.name, source.name);
  if (!vm.has_cpu) {
    g.mode = "custom";
    g.model = "qemu64";
    g.features = catalog.model(g.model).features & host.features;  // QEMU drops what the CPU lacks
    g.notes.push_back("the domain has no <cpu> element: QEMU's default model qemu64 assumed");
    return g;
  }
  g.mode = vm.cpu.mode.empty() ? "custom" : vm.cpu.mode;
  if (g.mode == "custom") {
    g.model = vm.cpu.model;
    // QEMU runs a model without `enforce`: of the model's own features, the guest
    // gets those the source CPU has (libvirt then writes the rest as disabled into
    // the live definition). Listed features keep their policies: a running guest
    // with a required feature has it.
    FeatureList list(catalog, true, where);
    for (const auto& f : vm.cpu.features) list.add(f.name, f.policy);
    g.features = list.expand(vm.cpu.model, &host.features, &host.features);
    const CpuFeatureSet dropped = list.expand(vm.cpu.model, &host.features) - g.features;
    if (!dropped.empty()) {
      g.notes.push_back(fmt::format("model {} names {} feature(s) the CPU of '{}' lacks ({}): QEMU does not give "
                                    "them to the guest",
                                    vm.cpu.model, dropped.count(), source.name, join(catalog.names(dropped), " ")));
    }
    if (!vm.cpu.vendor.empty()) g.vendor = catalog.find_vendor(vm.cpu.vendor);
  } else if (g.mode == "host-model") {
    if (const CpuDefinition* hm = source.cpu.host_model.get()) {
      g.model = hm->model;
      g.features = expand_definition(*hm, catalog, true, &host.features, where + " host-model");
    } else {
      g.features = host.features;
      g.notes.push_back(fmt::format("host-model expansion of '{}' unknown ({}): the host CPU is used instead",
                                    source.name, source.cpu.host_model.reason()));
    }
    // Features the VM's definition adds or removes on top of the expansion.
    CpuDefinition extra = vm.cpu;
    extra.model.clear();
    CpuFeatureSet add = expand_definition(extra, catalog, true, &host.features, where);
    for (const auto& f : vm.cpu.features) {
      const size_t id = catalog.feature_id(f.name, where);
      if (f.policy == "disable" || f.policy == "forbid") g.features.reset(id);
    }
    g.features |= add;
  } else if (g.mode == "host-passthrough" || g.mode == "maximum") {
    g.features = host.features;
    g.signature = host.signature;
    if (host.origin == CpuOrigin::libvirt_cpu) {
      g.notes.push_back(fmt::format("'{}' is described by libvirt's CPU model, not raw CPUID: passthrough "
                                    "features are as libvirt names them",
                                    source.name));
    }
  } else {
    throw Error(fmt::format("{}: unknown CPU mode '{}'", where, g.mode),
                "use custom, host-model, host-passthrough or maximum");
  }
  return g;
}

}  // namespace preflight
