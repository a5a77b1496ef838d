#include "migrate/guest_cpu_check.hpp"

#include <set>

#include <fmt/format.h>

namespace preflight {
namespace {

bool enables(const CpuFeatureRef& f) { return f.policy.empty() || f.policy == "require" || f.policy == "force"; }

std::string shown(const std::string& s) { return s.empty() ? "(none)" : s; }

}  // namespace

std::vector<std::string> guest_cpu_losses(const CpuDefinition& planned, const CpuDefinition& actual) {
  std::vector<std::string> losses;
  if (planned.mode != actual.mode)
    losses.push_back(fmt::format("mode {} became {}", shown(planned.mode), shown(actual.mode)));
  if (planned.model != actual.model)
    losses.push_back(fmt::format("model {} became {}", shown(planned.model), shown(actual.model)));
  std::set<std::string> enabled;
  for (const CpuFeatureRef& f : actual.features)
    if (enables(f)) enabled.insert(f.name);
  for (const CpuFeatureRef& f : planned.features)
    if (enables(f) && !enabled.count(f.name)) losses.push_back("lost " + f.name);
  return losses;
}

}  // namespace preflight
