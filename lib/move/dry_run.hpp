#pragma once
// A move not made (--dry-run): the steps of its plan and the libvirt call the
// source would get. Made by describe_dry_run (migrate/migration_plan.hpp).
#include <string>
#include <vector>

namespace preflight {

struct DryRun {
  std::vector<std::string> steps;
  std::string call;
};

}  // namespace preflight
