#pragma once
// The policy file (named by the inventory's `policy:` or --policy): waivers,
// overcommit, storage copy, pools, severity overrides. Example:
//
//   waivers:
//     - rule: network.uplink
//       reason: "intranet-only VM, approved in CHG-1234"   # mandatory
//       vm: vm1            # optional scope
//       host: hostB        # optional scope: the destination
//       expires: 2026-12-31  # optional; the waiver no longer applies after this day
//   cpu_overcommit: 4.0          # vCPUs per destination CPU, all running VMs counted
//   memory_overhead_mib: 256     # added to the VM's memory
//   allow_storage_copy: true     # false: a disk not on shared storage blocks
//   require_same_pool: false     # true: host.pool blocks across pools
//   severity:                    # overrides per rule id
//     storage.cache-mode: block
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rules/rule.hpp"

namespace preflight {

struct Waiver {
  std::string rule;
  std::string reason;
  std::string vm;    // empty = any VM
  std::string host;  // empty = any destination (a source name also matches)
  std::optional<std::chrono::year_month_day> expires;  // last day it applies
  std::string file;
  int line = 0;

  // Whether it covers this rule for this move on `today` (expiry inclusive).
  bool applies(const std::string& rule_id, const std::string& vm_name, const std::string& source,
               const std::string& destination, std::chrono::year_month_day today) const;
  bool expired(std::chrono::year_month_day today) const;
};

struct Policy {
  std::string path;  // empty = built-in defaults
  std::vector<Waiver> waivers;
  // Unset values fall back to the rule's params (rules/*.yaml).
  std::optional<double> cpu_overcommit;
  std::optional<double> memory_overhead_mib;
  bool allow_storage_copy = true;
  bool require_same_pool = false;
  std::map<std::string, Severity> severity;  // rule id -> severity
};

// Throws Error "<file>:<line>: <what>" for malformed YAML, unknown keys, a waiver
// without rule or reason, a bad date or number. When `catalog` is given, rule ids
// are checked against it (with "did you mean").
Policy parse_policy(const std::string& text, const std::string& origin, const RuleCatalog* catalog);
Policy load_policy(const std::string& path, const RuleCatalog* catalog);

// "YYYY-MM-DD" -> date; nullopt when malformed or not a calendar day.
std::optional<std::chrono::year_month_day> parse_date(const std::string& text);
std::string format_date(std::chrono::year_month_day d);

}  // namespace preflight
