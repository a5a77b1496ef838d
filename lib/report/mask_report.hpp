#pragma once
// `preflight mask` output: the masked guest CPU in every format and what the guest
// gives up.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cpu/cpu_baseline.hpp"
#include "cpu/host_cpu.hpp"
#include "facts/vm_facts.hpp"

namespace preflight {

// `hosts`: the names the mask is for, as given.
std::string render_mask_text(const VmFacts& vm, const std::string& source, const GuestCpu& guest, const Mask& mask,
                             const std::vector<std::string>& hosts, const CpuCatalog& catalog);
// baseline_json of the mask with vm, source, guest_mode, gives_up, notes, vmware
// and restart_required (a running VM takes the CPU at its next start).
nlohmann::json mask_json(const VmFacts& vm, const std::string& source, const GuestCpu& guest, const Mask& mask,
                         const CpuCatalog& catalog);

}  // namespace preflight
