#include "rules/policy.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"

namespace preflight {
namespace {

using namespace std::chrono;

constexpr double kMaxOvercommit = 1000;         // vCPUs per host CPU
constexpr double kMaxOverheadMib = 1024 * 1024;  // 1 TiB per VM

std::string at(const std::string& origin, const YAML::Node& n) {
  return origin + ":" + std::to_string(n.Mark().line + 1);
}

void check_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& origin) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key))
      throw Error(at(origin, kv.first) + ": unknown policy key '" + key + "'" +
                  did_you_mean(key, {allowed.begin(), allowed.end()}));
  }
}

std::string scalar(const YAML::Node& n, const std::string& what, const std::string& origin) {
  if (!n.IsScalar()) throw Error(at(origin, n) + ": " + what + " must be a single value");
  return n.Scalar();
}

// A finite decimal number in [0, max]: "inf", "nan" and "1e300" are refused, not
// turned into a zero or a wrapped integer later.
double number(const YAML::Node& n, const std::string& what, const std::string& origin, double max) {
  return require_real(scalar(n, what, origin), 0, max, at(origin, n), what);
}

bool boolean(const YAML::Node& n, const std::string& what, const std::string& origin) {
  const std::string s = scalar(n, what, origin);
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  throw Error(at(origin, n) + ": " + what + " must be true or false, not '" + s + "'");
}

void check_rule_id(const std::string& id, const YAML::Node& n, const std::string& origin, const RuleCatalog* catalog) {
  if (catalog && !catalog->find(id))
    throw Error(at(origin, n) + ": unknown rule '" + id + "'" + did_you_mean(id, catalog->ids()),
                "`preflight rules list` shows the rule ids");
}

}  // namespace

std::optional<year_month_day> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string format_date(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

bool Waiver::expired(year_month_day today) const { return expires && sys_days(today) > sys_days(*expires); }

bool Waiver::applies(const std::string& rule_id, const std::string& vm_name, const std::string& source,
                     const std::string& destination, year_month_day today) const {
  if (rule != rule_id || expired(today)) return false;
  if (!vm.empty() && vm != vm_name) return false;
  if (!host.empty() && host != destination && host != source) return false;
  return true;
}

Policy parse_policy(const std::string& text, const std::string& origin, const RuleCatalog* catalog) {
  const YAML::Node root = load_yaml(text, origin, "fix the policy file");
  Policy p;
  p.path = origin;
  if (!root || root.IsNull())
    throw Error(origin + ": empty: a policy file is a map (write {} for a policy that changes nothing)",
                "see `preflight check --help`");
  if (!root.IsMap()) throw Error(origin + ":1: a policy file is a map", "see `preflight check --help`");
  check_keys(root,
             {"waivers", "cpu_overcommit", "memory_overhead_mib", "allow_storage_copy", "require_same_pool",
              "severity"},
             origin);
  if (auto w = root["waivers"]) {
    if (!w.IsSequence()) throw Error(at(origin, w) + ": 'waivers' must be a list");
    for (const auto& n : w) {
      if (!n.IsMap()) throw Error(at(origin, n) + ": a waiver must be a map with rule and reason");
      check_keys(n, {"rule", "reason", "vm", "host", "expires"}, origin);
      Waiver wv;
      wv.file = origin;
      wv.line = n.Mark().line + 1;
      if (!n["rule"]) throw Error(at(origin, n) + ": waiver has no 'rule'", "name the rule id it waives");
      wv.rule = scalar(n["rule"], "rule", origin);
      check_rule_id(wv.rule, n["rule"], origin, catalog);
      if (!n["reason"] || scalar(n["reason"], "reason", origin).empty())
        throw Error(at(origin, n) + ": waiver of '" + wv.rule + "' has no 'reason'",
                    "a waiver needs a written reason; it is shown in every report");
      wv.reason = n["reason"].Scalar();
      if (n["vm"]) wv.vm = scalar(n["vm"], "vm", origin);
      if (n["host"]) wv.host = scalar(n["host"], "host", origin);
      if (n["expires"]) {
        wv.expires = parse_date(scalar(n["expires"], "expires", origin));
        if (!wv.expires)
          throw Error(at(origin, n["expires"]) + ": expires '" + n["expires"].Scalar() + "' is not a date",
                      "write it as YYYY-MM-DD");
      }
      p.waivers.push_back(std::move(wv));
    }
  }
  if (auto n = root["cpu_overcommit"]) {
    p.cpu_overcommit = number(n, "cpu_overcommit", origin, kMaxOvercommit);
    if (*p.cpu_overcommit <= 0) throw Error(at(origin, n) + ": cpu_overcommit must be above 0");
  }
  if (auto n = root["memory_overhead_mib"]) p.memory_overhead_mib = number(n, "memory_overhead_mib", origin, kMaxOverheadMib);
  if (auto n = root["allow_storage_copy"]) p.allow_storage_copy = boolean(n, "allow_storage_copy", origin);
  if (auto n = root["require_same_pool"]) p.require_same_pool = boolean(n, "require_same_pool", origin);
  if (auto s = root["severity"]) {
    if (!s.IsMap()) throw Error(at(origin, s) + ": 'severity' must be a map of rule id: block|warn|info");
    for (const auto& kv : s) {
      const std::string id = kv.first.Scalar();
      check_rule_id(id, kv.first, origin, catalog);
      p.severity[id] = parse_severity(scalar(kv.second, "severity", origin), at(origin, kv.second));
    }
  }
  return p;
}

Policy load_policy(const std::string& path, const RuleCatalog* catalog) {
  return parse_policy(read_file(path, "check the path given by --policy or the inventory's policy:"), path, catalog);
}

}  // namespace preflight
