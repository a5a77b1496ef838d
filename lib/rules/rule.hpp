#pragma once
// A rule: one row of docs/requirements.md as data (rules/*.yaml). A rule names one of
// the typed checks written in C++ (rules/check.hpp) and carries the words the
// operator sees: title, message template, remediation, reference.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight {

enum class Severity { block, warn, info };

std::string to_string(Severity s);
// Throws Error naming `where` for anything but block|warn|info.
Severity parse_severity(const std::string& text, const std::string& where);

struct Rule {
  std::string id;  // as in docs/requirements.md, e.g. "storage.shared"
  std::string title;
  std::vector<std::string> requirements;  // "R10", ...
  Severity severity = Severity::block;   // default; graded checks may raise or lower it
  std::string check;                     // a name from check_names()
  nlohmann::json params = nlohmann::json::object();
  // Message templates: "fired" is the default, other keys are variants a check
  // selects. {name} is replaced by the evidence field `name` (and vm, source,
  // destination); unknown placeholders stay as written.
  std::map<std::string, std::string> messages;
  std::string remediation;  // also a template
  // Optional (`remediation_text:`): the remediation as a terminal shows it, when the
  // full one carries what only a machine reads (inline XML); empty = `remediation`.
  std::string remediation_text;
  // Optional (`remediations:`): the remediation of a message variant that needs
  // another fix, by variant name (as in `messages:`); shown in every format.
  std::map<std::string, std::string> remediations;
  std::string reference;    // the sources it comes from (docs/sources.md, KB articles)
  std::string file;         // where it was defined
  int line = 0;
};

struct RuleCatalog {
  std::vector<Rule> rules;  // in file order, files sorted by name

  const Rule* find(const std::string& id) const;  // nullptr when absent
  std::vector<std::string> ids() const;
};

// Every *.yaml in `dir`, sorted by file name. Throws Error "<file>:<line>: <what>"
// for malformed YAML, a missing field, an unknown check or severity, a duplicate
// id; Error naming `dir` when it cannot be read or holds no rule file.
RuleCatalog load_rule_catalog(const std::string& dir);

// One rule file's text; `origin` names it in errors. Appends to `catalog`.
void parse_rule_file(const std::string& text, const std::string& origin, RuleCatalog& catalog);

// The rules/ folder shipped with preflight: data_dir()/rules (core/install_paths.hpp).
std::string default_rules_dir();

// Fills {placeholders} of `tmpl` from the top-level fields of `values` (strings
// as is, numbers printed, arrays joined with ", "). An array of more than
// `max_items` shows its first `max_items` and then `more` with "{n}" replaced by
// how many were left out ("a, b, +3 more").
std::string fill_template(const std::string& tmpl, const nlohmann::json& values,
                          size_t max_items = static_cast<size_t>(-1), const std::string& more = "");

}  // namespace preflight
