#include <array>
#include <utility>

#include "rules/checks.hpp"

namespace preflight {
namespace {

using Entry = std::pair<const char*, CheckFn>;
constexpr std::array kChecks = {
    Entry{"cpu_vendor", checks::cpu_vendor},
    Entry{"cpu_features", checks::cpu_features},
    Entry{"cpu_firmware", checks::cpu_firmware},
    Entry{"cpu_passthrough", checks::cpu_passthrough},
    Entry{"storage_shared", checks::storage_shared},
    Entry{"storage_space", checks::storage_space},
    Entry{"lun_visible", checks::lun_visible},
    Entry{"disk_shareable", checks::disk_shareable},
    Entry{"host_media", checks::host_media},
    Entry{"media_visible", checks::media_visible},
    Entry{"cache_mode", checks::cache_mode},
    Entry{"network_present", checks::network_present},
    Entry{"network_uplink", checks::network_uplink},
    Entry{"migration_link", checks::migration_link},
    Entry{"same_segment", checks::same_segment},
    Entry{"host_ports", checks::host_ports},
    Entry{"hostdev", checks::hostdev},
    Entry{"affinity", checks::affinity},
    Entry{"memory", checks::memory},
    Entry{"vcpus", checks::vcpus},
    Entry{"distinct_hosts", checks::distinct_hosts},
    Entry{"same_pool", checks::same_pool},
    Entry{"hypervisor_compat", checks::hypervisor_compat},
    Entry{"concurrency", checks::concurrency},
};

// The checks that compare the source host with the destination, or judge the
// migration itself, and why each does not apply to a VM defined on no host yet.
using SourceNeed = std::pair<const char*, const char*>;
constexpr std::array kNeedSource = {
    SourceNeed{"cpu_vendor", "its CPU vendor cannot change, and cpu.features judges its CPU against what the "
                             "destination offers"},
    SourceNeed{"cpu_firmware", "no source CPU to compare; cpu.features judges what the destination offers"},
    SourceNeed{"cpu_passthrough", "a host-passthrough guest gets the destination's own CPU when it starts there"},
    SourceNeed{"storage_space", "no disk is copied (storage.shared says whether the destination sees its disks)"},
    SourceNeed{"cache_mode", "the cache mode matters when a running guest migrates off non-shared storage"},
    SourceNeed{"migration_link", "nothing migrates"},
    SourceNeed{"same_segment", "no source network to compare"},
    SourceNeed{"distinct_hosts", "nothing to compare the destination with"},
    SourceNeed{"same_pool", "no source pool to compare"},
    SourceNeed{"concurrency", "nothing migrates"},
};

}  // namespace

std::string needs_source_host(const std::string& name) {
  for (const auto& [n, why] : kNeedSource)
    if (name == n) return why;
  return {};
}

CheckFn find_check(const std::string& name) {
  for (const auto& [n, fn] : kChecks)
    if (name == n) return fn;
  return nullptr;
}

std::vector<std::string> check_names() {
  std::vector<std::string> out;
  for (const auto& e : kChecks) out.emplace_back(e.first);
  return out;
}

CheckResult CheckResult::pass(std::string detail, nlohmann::json evidence) {
  CheckResult r;
  r.outcome = Outcome::pass;
  r.detail = std::move(detail);
  r.evidence = std::move(evidence);
  return r;
}

CheckResult CheckResult::skip(std::string reason, nlohmann::json evidence) {
  CheckResult r;
  r.outcome = Outcome::skip;
  r.detail = std::move(reason);
  r.evidence = std::move(evidence);
  return r;
}

CheckResult CheckResult::fire(nlohmann::json evidence, std::string variant, std::optional<Severity> severity) {
  CheckResult r;
  r.outcome = Outcome::fire;
  r.evidence = std::move(evidence);
  r.variant = std::move(variant);
  r.severity = severity;
  return r;
}

CheckResult CheckResult::unknown(const HostFacts& host, const std::string& fact, const std::string& reason) {
  CheckResult r = error(host.name + ": fact " + fact + " is unknown (" + reason + ")");
  r.evidence = {{"host", host.name}, {"fact", fact}, {"reason", reason}};
  return r;
}

CheckResult CheckResult::error(std::string detail) {
  CheckResult r;
  r.outcome = Outcome::error;
  r.detail = std::move(detail);
  return r;
}

double param_number(const nlohmann::json& params, const std::string& key, double fallback) {
  auto it = params.find(key);
  return it != params.end() && it->is_number() ? it->get<double>() : fallback;
}

double rule_param(const RuleCatalog& catalog, const std::string& check, const std::string& key, double fallback) {
  for (const Rule& r : catalog.rules)
    if (r.check == check) return param_number(r.params, key, fallback);
  return fallback;
}

namespace {
constexpr double kDefaultOverheadMib = 256;
}  // namespace

double memory_overhead_mib(const Policy& policy, const nlohmann::json& memory_params) {
  return policy.memory_overhead_mib.value_or(param_number(memory_params, "overhead_mib", kDefaultOverheadMib));
}

double memory_overhead_mib(const Policy& policy, const RuleCatalog& catalog) {
  return policy.memory_overhead_mib.value_or(rule_param(catalog, "memory", "overhead_mib", kDefaultOverheadMib));
}

std::vector<std::string> param_strings(const nlohmann::json& params, const std::string& key,
                                       std::vector<std::string> fallback) {
  auto it = params.find(key);
  if (it == params.end() || !it->is_array()) return fallback;
  std::vector<std::string> out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace preflight
