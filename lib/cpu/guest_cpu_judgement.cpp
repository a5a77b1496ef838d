#include "cpu/guest_cpu_judgement.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace preflight {

namespace {

bool running(const VmFacts& vm) { return vm.state != "shutoff" && vm.state != "crashed" && !vm.state.empty(); }

// The features `source` gives guests of the type: its offer, else its CPU (noted).
CpuFeatureSet source_offer(const VmFacts& vm, const HostFacts& source, const std::string& type,
                           const CpuCatalog& catalog, std::vector<std::string>& notes) {
  const Fact<OfferedCpu> o = offered_cpu(source, type, catalog);
  if (o.known() && o.value().basis != OfferBasis::silicon) return o.value().cpu.features;
  notes.push_back(fmt::format("what '{}' offers {} guests is unknown ({}): its host CPU is used for {}", source.name,
                              type, o.known() ? o.value().assumed : o.reason(), vm.name));
  return resolve_host_cpu(source, catalog).features;
}

// The features named in the guest's <feature> list with `policy`.
CpuFeatureSet with_policy(const CpuDefinition& cpu, const CpuCatalog& catalog, std::initializer_list<const char*> policies,
                          const std::string& where) {
  CpuFeatureSet s;
  for (const auto& f : cpu.features)
    for (const char* p : policies)
      if (f.policy == p) s.set(catalog.feature_id(f.name, where));
  return s;
}

void judge_custom(const VmFacts& vm, const HostFacts& source, const OfferedCpu& dest, const CpuCatalog& cat,
                  GuestCpuJudgement& j) {
  const std::string where = fmt::format("VM '{}' on host '{}'", vm.name, source.name);
  const std::string type = dest.virt_type;
  const CpuDefinition& cpu = vm.cpu;
  j.model = cpu.model;
  const bool live = running(vm);
  const std::string check = cpu.check.empty() ? (live ? "full" : "partial") : cpu.check;
  if (!live && check == "none") {
    j.notes.push_back(vm.name + " is shut off with check='none': it starts on the destination with what QEMU can "
                      "give, and libvirt does not compare its CPU");
    return;
  }
  // Only a running guest depends on its source: one that starts (shut off, or not
  // defined anywhere yet) gets what its definition asks of the destination.
  const CpuFeatureSet src = live ? source_offer(vm, source, type, cat, j.notes) : CpuFeatureSet{};
  // optional: a running guest has it where the source offered it; a guest that
  // starts leaves it out where the host lacks it, and libvirt ignores it.
  j.requested = expand_definition(cpu, cat, true, live ? &src : nullptr, where);
  if (live && check != "full") {
    // libvirt confirms the live definition only with check='full' (after start it
    // sets that); otherwise QEMU ran the model without `enforce` and dropped what the
    // source did not offer.
    const CpuFeatureSet asked = j.requested;
    j.requested &= src | with_policy(cpu, cat, {"require", "force"}, where);
    const CpuFeatureSet dropped = asked - j.requested;
    if (!dropped.empty())
      j.notes.push_back(fmt::format("model {} names {} feature(s) '{}' does not offer {} guests ({}): QEMU did not "
                                    "give them to the guest",
                                    cpu.model, dropped.count(), source.name, type, join(cat.names(dropped), " ")));
  }
  if (check == "partial") {  // libvirt's virCPUCompare with the host-model CPU
    if (!cpu.vendor.empty() && !dest.cpu.vendor_name.empty() && cpu.vendor != dest.cpu.vendor_name)
      j.vendor_mismatch = cpu.vendor + " vs " + dest.cpu.vendor_name;
    j.forbidden = with_policy(cpu, cat, {"forbid"}, where) & dest.cpu.features;
    if (cpu.match == "strict")
      j.strict_extra = dest.cpu.features - j.requested - cat.non_migratable() - hypervisor_bit(cat);
  }
}

}  // namespace

GuestCpuJudgement judge_guest_cpu(const VmFacts& vm, const HostFacts& source, const OfferedCpu& dest,
                                  const CpuCatalog& cat) {
  GuestCpuJudgement j;
  const std::string type = dest.virt_type;
  j.mode = !vm.has_cpu ? "none" : (vm.cpu.mode.empty() ? "custom" : vm.cpu.mode);
  if (j.mode == "none") {
    j.notes.push_back(vm.name + " has no <cpu>: QEMU's default model, which neither libvirt nor QEMU checks on arrival");
  } else if (j.mode == "host-model" && !running(vm)) {
    j.notes.push_back(vm.name + " is shut off with host-model: it gets the destination's host-model CPU when it "
                      "starts there");
  } else if (j.mode == "host-model") {
    // Older facts of a running guest: the expansion is the source's offer.
    std::vector<std::string> notes;
    CpuDefinition extra = vm.cpu;
    extra.model.clear();
    const CpuFeatureSet src = source_offer(vm, source, type, cat, notes);
    j.requested = src | expand_definition(extra, cat, true, &src, "VM '" + vm.name + "'");
    j.requested -= with_policy(vm.cpu, cat, {"disable", "forbid"}, vm.name);
    j.notes.insert(j.notes.end(), notes.begin(), notes.end());
    j.notes.push_back("running host-model guest: the source's host-model expansion assumed as its CPU");
  } else if (j.mode == "host-passthrough" || j.mode == "maximum") {
    const Fact<bool>& offered = j.mode == "maximum" ? dest.maximum : dest.host_passthrough;
    if (!offered.known()) j.mode_offer_unknown = true;
    else if (!offered.value()) j.mode_not_offered = j.mode;
    j.notes.push_back(vm.name + " uses " + j.mode + ": it gets the destination's own CPU; cpu.passthrough judges "
                      "whether the two CPUs are identical");
  } else if (j.mode == "custom") {
    judge_custom(vm, source, dest, cat, j);
  } else {
    throw Error(fmt::format("VM '{}': unknown CPU mode '{}'", vm.name, j.mode),
                "use custom, host-model, host-passthrough or maximum");
  }
  j.requested -= cat.non_migratable();
  j.requested -= hypervisor_bit(cat);
  j.missing = j.requested - dest.cpu.features;
  return j;
}

}  // namespace preflight
