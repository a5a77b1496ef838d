#pragma once
// CPU features that firmware (BIOS/UEFI setup) can switch off, and the
// FirmwareFacts entry that says whether it did. Semantics, not CPU data: the
// feature names are looked up in the catalog; names it lacks are skipped.
#include <vector>

#include "core/fact.hpp"
#include "facts/host_facts.hpp"

namespace preflight {

struct FirmwareSwitch {
  const char* setting;  // as an operator finds it in setup, e.g. "Intel VT-x / AMD-V"
  Fact<bool> FirmwareFacts::*fact;  // false = switched off
  std::vector<const char*> features;
};

const std::vector<FirmwareSwitch>& firmware_switches();

}  // namespace preflight
