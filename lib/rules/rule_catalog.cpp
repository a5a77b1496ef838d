#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/install_paths.hpp"
#include "rules/check.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"
#include "rules/rule.hpp"
#include "rules/yaml_json.hpp"

namespace preflight {
namespace {

const std::set<std::string> kRuleKeys = {"id",      "title",       "requirements", "severity",
                                         "check",   "params",      "message",      "messages",
                                         "remediation", "remediation_text", "remediations", "reference"};

std::string where(const std::string& origin, const YAML::Node& n) {
  return origin + ":" + std::to_string(n.Mark().line + 1);
}

std::string required_string(const YAML::Node& rule, const char* key, const std::string& origin) {
  const YAML::Node v = rule[key];
  if (!v) throw Error(where(origin, rule) + ": rule has no '" + key + "'", "add it (see any rule in rules/*.yaml, or `preflight rules explain ID`)");
  if (!v.IsScalar() || v.Scalar().empty())
    throw Error(where(origin, v) + ": '" + key + "' must be a non-empty string");
  return v.Scalar();
}

}  // namespace

std::string to_string(Severity s) {
  switch (s) {
    case Severity::block: return "block";
    case Severity::warn: return "warn";
    case Severity::info: return "info";
  }
  return "block";
}

Severity parse_severity(const std::string& text, const std::string& where) {
  if (text == "block") return Severity::block;
  if (text == "warn") return Severity::warn;
  if (text == "info") return Severity::info;
  throw Error(where + ": unknown severity '" + text + "'", "use block, warn or info");
}

const Rule* RuleCatalog::find(const std::string& id) const {
  for (const auto& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

std::vector<std::string> RuleCatalog::ids() const {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(r.id);
  return out;
}

void parse_rule_file(const std::string& text, const std::string& origin, RuleCatalog& catalog) {
  const YAML::Node root = load_yaml(text, origin, "fix the rule file");
  if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence())
    throw Error(origin + ":1: a rule file is a map with a 'rules:' list", "see the other files in rules/");
  for (const auto& n : root["rules"]) {
    if (!n.IsMap()) throw Error(where(origin, n) + ": a rule must be a map");
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!kRuleKeys.count(key))
        throw Error(where(origin, kv.first) + ": unknown key '" + key + "'" +
                    did_you_mean(key, {kRuleKeys.begin(), kRuleKeys.end()}));
    }
    Rule r;
    r.file = origin;
    r.line = n.Mark().line + 1;
    r.id = required_string(n, "id", origin);
    if (catalog.find(r.id))
      throw Error(where(origin, n["id"]) + ": duplicate rule id '" + r.id + "' (first in " +
                  catalog.find(r.id)->file + ":" + std::to_string(catalog.find(r.id)->line) + ")");
    r.title = required_string(n, "title", origin);
    r.severity = parse_severity(required_string(n, "severity", origin), where(origin, n["severity"]));
    r.check = required_string(n, "check", origin);
    if (!find_check(r.check))
      throw Error(where(origin, n["check"]) + ": unknown check '" + r.check + "'" +
                  did_you_mean(r.check, check_names()));
    if (!n["requirements"] || !n["requirements"].IsSequence() || n["requirements"].size() == 0)
      throw Error(where(origin, n) + ": rule '" + r.id + "' needs 'requirements: [R..]'");
    for (const auto& req : n["requirements"]) {
      if (!req.IsScalar()) throw Error(where(origin, req) + ": each requirement must be a single value such as R40");
      r.requirements.push_back(req.Scalar());
    }
    if (n["params"]) {
      if (!n["params"].IsMap()) throw Error(where(origin, n["params"]) + ": 'params' must be a map");
      r.params = yaml_to_json(n["params"], origin);
      // Limits and sizes: none of them is negative (a -1 would pass every comparison the wrong way).
      for (const auto& kv : n["params"])
        if (const auto& v = r.params[kv.first.Scalar()]; v.is_number() && v.get<double>() < 0)
          throw Error(where(origin, kv.second) + ": param '" + kv.first.Scalar() + "' is negative: " + v.dump(),
                      "rule parameters are limits and sizes, 0 or more");
    }
    r.messages["fired"] = required_string(n, "message", origin);
    if (n["messages"]) {
      if (!n["messages"].IsMap()) throw Error(where(origin, n["messages"]) + ": 'messages' must be a map of variant: text");
      for (const auto& kv : n["messages"]) {
        if (!kv.second.IsScalar())
          throw Error(where(origin, kv.second) + ": message '" + kv.first.Scalar() + "' must be text");
        r.messages[kv.first.Scalar()] = kv.second.Scalar();
      }
    }
    r.remediation = required_string(n, "remediation", origin);
    if (n["remediation_text"]) r.remediation_text = required_string(n, "remediation_text", origin);
    if (n["remediations"]) {
      if (!n["remediations"].IsMap())
        throw Error(where(origin, n["remediations"]) + ": 'remediations' must be a map of variant: text");
      for (const auto& kv : n["remediations"]) r.remediations[kv.first.Scalar()] = kv.second.Scalar();
    }
    r.reference = required_string(n, "reference", origin);
    catalog.rules.push_back(std::move(r));
  }
}

RuleCatalog load_rule_catalog(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(dir + ": rules folder not found", "pass --rules DIR with the rules/ folder of preflight");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".yaml" || it->path().extension() == ".yml") files.push_back(it->path());
  if (ec) throw Error(dir + ": cannot list the rules folder: " + ec.message(), "check its permissions");
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(dir + ": no *.yaml rule files", "pass --rules DIR with the rules/ folder of preflight");
  RuleCatalog catalog;
  for (const auto& f : files) {
    parse_rule_file(read_file(f.string(), "check its permissions"), f.string(), catalog);
  }
  return catalog;
}

std::string default_rules_dir() { return data_dir() + "/rules"; }

std::string fill_template(const std::string& tmpl, const nlohmann::json& values, size_t max_items,
                          const std::string& more) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find('{', i);
    if (open == std::string::npos) break;
    const size_t close = tmpl.find('}', open);
    if (close == std::string::npos) break;
    out.append(tmpl, i, open - i);
    const std::string key = tmpl.substr(open + 1, close - open - 1);
    auto it = values.is_object() ? values.find(key) : values.end();
    if (it == values.end()) {
      out.append(tmpl, open, close - open + 1);
    } else if (it->is_string()) {
      out += it->get<std::string>();
    } else if (it->is_array()) {
      std::string joined;
      size_t shown = 0;
      for (const auto& v : *it) {
        if (shown == max_items) {
          std::string rest = more;
          if (const size_t n = rest.find("{n}"); n != std::string::npos)
            rest.replace(n, 3, std::to_string(it->size() - shown));
          joined += ", " + rest;
          break;
        }
        if (!joined.empty()) joined += ", ";
        joined += v.is_string() ? v.get<std::string>() : v.dump();
        ++shown;
      }
      out += joined;
    } else if (it->is_number_float()) {
      std::ostringstream s;
      s << it->get<double>();
      out += s.str();
    } else {
      out += it->dump();
    }
    i = close + 1;
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

}  // namespace preflight
