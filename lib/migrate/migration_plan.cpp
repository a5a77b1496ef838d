#include "migrate/migration_plan.hpp"

#include <fmt/format.h>

#include "migrate/planned_hypervisor.hpp"

namespace preflight {

MigrationPlan plan_migration(const MigrationRequest& request) {
  MigrationPlan plan;
  plan.call.bandwidth_mib_s = request.bandwidth_mib_s;
  plan.call.max_downtime_ms = request.max_downtime_ms;
  switch (request.mode) {
    case MigrationMode::live:
      plan.steps = {MigrationStep::migrate};
      break;
    case MigrationMode::copy_storage:
      plan.call.copy_storage = true;
      plan.steps = {MigrationStep::precreate_volumes, MigrationStep::migrate};
      break;
    case MigrationMode::quick:
      plan.call.kind = MigrationCall::Kind::stopped;
      plan.call.max_downtime_ms.reset();  // the whole move is downtime
      plan.steps = {MigrationStep::suspend_source, MigrationStep::migrate, MigrationStep::resume_destination};
      break;
    case MigrationMode::offline:
      plan.call.kind = MigrationCall::Kind::offline;
      plan.call.max_downtime_ms.reset();
      plan.call.bandwidth_mib_s.reset();
      plan.source_before = DomainState::shutoff;
      plan.destination_after = DomainState::shutoff;
      // libvirt refuses VIR_MIGRATE_OFFLINE with VIR_MIGRATE_NON_SHARED_DISK: the
      // disks that are not shared are copied by preflight before the definition moves.
      plan.steps = {MigrationStep::precreate_volumes, MigrationStep::copy_volumes, MigrationStep::migrate};
      break;
  }
  return plan;
}

std::vector<std::string> describe_plan(const MigrationPlan& plan, const MigrationRequest& request,
                                       const Hypervisor& source) {
  std::vector<std::string> lines;
  for (MigrationStep step : plan.steps) {
    switch (step) {
      case MigrationStep::precreate_volumes:
        lines.push_back(fmt::format("precreate on {} the volume of each disk of {} that is copied{}: in the pool of "
                                    "the same name and directory, same name, capacity and format as on {}",
                                    request.destination, request.vm,
                                    request.mode == MigrationMode::offline
                                        ? fmt::format(" (each file disk with no volume at its path on {})",
                                                      request.destination)
                                        : "",
                                    request.source));
        break;
      case MigrationStep::copy_volumes:
        lines.push_back(fmt::format("copy the content of each precreated volume from {} to {} through libvirt "
                                    "storage streams (virStorageVolDownload on {}, virStorageVolUpload on {}); "
                                    "the disk files stay on {}: preflight never deletes them, and "
                                    "VIR_MIGRATE_UNDEFINE_SOURCE removes only the definition",
                                    request.source, request.destination, request.source, request.destination,
                                    request.source));
        break;
      case MigrationStep::suspend_source:
        lines.push_back(fmt::format("suspend {} on {}", request.vm, request.source));
        break;
      case MigrationStep::migrate:
        lines.push_back(source.describe_migrate(request.vm, request.destination_peer_uri, plan.call));
        break;
      case MigrationStep::resume_destination:
        lines.push_back(fmt::format("resume {} on {}", request.vm, request.destination));
        break;
    }
  }
  lines.push_back(fmt::format("verify: {} {} on {}, absent from {}, its guest CPU as it was on {}", request.vm,
                              to_string(plan.destination_after), request.destination, request.source, request.source));
  return lines;
}

DryRun describe_dry_run(const MigrationRequest& r, const std::string& source_uri) {
  const MigrationPlan plan = plan_migration(r);
  const PlannedHypervisor source(source_uri);
  return {describe_plan(plan, r, source), source.describe_migrate(r.vm, r.destination_peer_uri, plan.call)};
}

}  // namespace preflight
