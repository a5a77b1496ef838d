#include "migrate/planned_hypervisor.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "migrate/libvirt_hypervisor.hpp"

namespace preflight {

std::string PlannedHypervisor::describe_migrate(const std::string& vm, const std::string& peer_uri,
                                                const MigrationCall& call) const {
  return describe_libvirt_migrate(uri_, vm, peer_uri, call);
}

void PlannedHypervisor::fail(const std::string& vm) const {
  throw Error(fmt::format("{}: not contacted for {} (dry run or refused move)", uri_, vm));
}

}  // namespace preflight
