#include "report/mask_report.hpp"

#include <fmt/format.h>

#include "core/text.hpp"
#include "cpu/cpu_format.hpp"

namespace preflight {

std::string render_mask_text(const VmFacts& vm, const std::string& source, const GuestCpu& guest, const Mask& mask,
                             const std::vector<std::string>& hosts, const CpuCatalog& catalog) {
  std::string out = fmt::format("VM '{}' on '{}' ({} CPU, {} features) on every one of: {}\n", vm.name, source,
                                guest.mode, guest.features.count(), join(hosts, ", "));
  for (const auto& n : guest.notes) out += "note: " + n + "\n";
  const std::vector<std::string> lost = catalog.names(mask.given_up);
  out += fmt::format("the guest gives up {}: {}\n", lost.size(), lost.empty() ? "nothing" : join(lost, " "));
  out += fmt::format("x86-64 level of the masked CPU: v{}\n\n", mask.baseline.level);
  out += "libvirt (<cpu> of the domain XML):\n" + format_libvirt(mask.baseline.cpu, true, catalog, false) + "\n";
  out += "QEMU:\n" + format_qemu(mask.baseline.cpu, catalog) + "\n\n";
  out += "VMware:\n" + format_vmware(mask.baseline.features, catalog) + "\n";
  out += "A running VM takes a new CPU definition only when it is restarted (shut down and started, not rebooted "
         "from inside).\n";
  return out;
}

nlohmann::json mask_json(const VmFacts& vm, const std::string& source, const GuestCpu& guest, const Mask& mask,
                         const CpuCatalog& catalog) {
  nlohmann::json j = baseline_json(mask.baseline, catalog);
  j["vm"] = vm.name;
  j["source"] = source;
  j["guest_mode"] = guest.mode;
  j["gives_up"] = catalog.names(mask.given_up);
  j["notes"] = guest.notes;
  j["vmware"] = format_vmware(mask.baseline.features, catalog);
  j["restart_required"] = vm.state == "running";
  return j;
}

}  // namespace preflight
