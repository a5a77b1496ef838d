#pragma once
// GuestOffer: what a host's hypervisor offers a guest of one domain type (kvm,
// qemu), as libvirt's domain capabilities say. This, not the bare host CPU, is
// what libvirt checks an incoming guest CPU against. Plain data.
#include <string>
#include <vector>

#include "core/fact.hpp"
#include "facts/cpu_definition.hpp"

namespace preflight {

struct CpuModelOffer {
  std::string name;    // cpu_map model name
  std::string usable;  // yes|no|unknown, as domain capabilities say
  std::string vendor;  // empty when not given
  std::vector<std::string> blockers;  // features that make it unusable, where libvirt names them
  bool operator==(const CpuModelOffer&) const = default;
};

struct GuestOffer {
  std::string virt_type;  // kvm|qemu: the <domain type> this offer is for
  std::string emulator;   // the emulator path the capabilities are of
  std::string machine;    // the machine type the capabilities are of
  // The host-model CPU (migratable), policies as given (require/disable); unknown
  // with the reason when host-model is not supported or was not read.
  Fact<CpuDefinition> host_model;
  bool host_passthrough = false;  // <mode name='host-passthrough' supported='yes'>
  bool maximum = false;           // <mode name='maximum' supported='yes'>
  std::vector<CpuModelOffer> models;  // named custom models with their usability
  bool firmware_supported = false;    // <os><loader supported='yes'>
  std::vector<std::string> loaders;   // loader paths offered
  bool operator==(const GuestOffer&) const = default;
};

// The offer for `virt_type` in `offers`; null when there is none.
inline const GuestOffer* find_offer(const std::vector<GuestOffer>& offers, const std::string& virt_type) {
  for (const auto& o : offers)
    if (o.virt_type == virt_type) return &o;
  return nullptr;
}

}  // namespace preflight
