#pragma once
// The fixed set of typed checks a rule can name. A check reads facts and the
// rule's params and says pass / fire / skip / error with evidence; the engine turns
// that into a Finding (severity, waivers, message).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "facts/host_facts.hpp"
#include "facts/vm_facts.hpp"
#include "cpu/cpu_catalog.hpp"
#include "rules/link_probe_result.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"
#include "rules/subject.hpp"

namespace preflight {

struct CheckContext {
  const HostFacts& source;
  const HostFacts& destination;
  const VmFacts& vm;
  const Policy& policy;
  const std::optional<LinkProbeResult>& link;  // nullopt when no probe was run
  const CpuCatalog* cpu_catalog;               // nullptr: the CPU checks are errors
  const std::string& mode;                     // the planned migration mode; empty: any
  bool new_vm = false;  // defined on no host yet: `source` is empty (CheckRequest::new_vm)
};

enum class Outcome { pass, fire, skip, error };

struct CheckResult {
  Outcome outcome = Outcome::pass;
  std::string variant;                // message variant when fired; empty = "fired"
  std::optional<Severity> severity;   // graded checks: replaces the rule's default
  std::string detail;                 // the message for pass / skip / error
  nlohmann::json evidence = nlohmann::json::object();
  // A fired result: the items that fire it (each network, bridge, disk, pool or
  // device found wanting), set from the facts. Pass, skip and error carry none.
  std::vector<Subject> subjects;

  // This result, about `s` (a fired result's subjects).
  CheckResult about(std::vector<Subject> s) && {
    subjects = std::move(s);
    return std::move(*this);
  }

  static CheckResult pass(std::string detail, nlohmann::json evidence = nlohmann::json::object());
  static CheckResult skip(std::string reason, nlohmann::json evidence = nlohmann::json::object());
  static CheckResult fire(nlohmann::json evidence, std::string variant = {},
                          std::optional<Severity> severity = std::nullopt);
  // "<host>: fact <fact> is unknown (<reason>)"
  static CheckResult unknown(const HostFacts& host, const std::string& fact, const std::string& reason);
  static CheckResult error(std::string detail);
};

using CheckFn = CheckResult (*)(const CheckContext&, const nlohmann::json& params);

// nullptr when `name` is not a check.
CheckFn find_check(const std::string& name);
// Why the check `name` does not apply to a VM defined on no host yet (it compares
// the source host with the destination, or judges the migration itself), as the
// end of "... : <why>"; empty when it judges such a VM too.
std::string needs_source_host(const std::string& name);
std::vector<std::string> check_names();

// A numeric param, else `fallback`.
double param_number(const nlohmann::json& params, const std::string& key, double fallback);
// A numeric param of the first rule built on `check`, else `fallback`: limits are
// data (rules/*.yaml, --rules), like everything a rule decides.
double rule_param(const RuleCatalog& catalog, const std::string& check, const std::string& key, double fallback);

// The memory added to each VM on its destination (QEMU's own use), in MiB: the
// policy's memory_overhead_mib, else the memory rule's overhead_mib (`params`, or
// the catalog's rule built on the memory check), else 256.
double memory_overhead_mib(const Policy& policy, const nlohmann::json& memory_params);
double memory_overhead_mib(const Policy& policy, const RuleCatalog& catalog);
std::vector<std::string> param_strings(const nlohmann::json& params, const std::string& key,
                                       std::vector<std::string> fallback);

}  // namespace preflight
