#include "report/finding_text.hpp"

#include <map>

namespace preflight {

std::string finding_message(const Finding& f) {
  if (f.status != Status::waived) return f.message;
  return f.message + " (waived: " + f.waiver_reason + ")";
}

namespace {

std::string brief(const std::string& tmpl, const std::string& full, const Finding& f, const Verdict& v,
                  size_t max_items) {
  if (tmpl.empty()) return full;
  nlohmann::json values = f.evidence.is_object() ? f.evidence : nlohmann::json::object();
  values.emplace("vm", v.vm);
  values.emplace("source", v.source);
  values.emplace("destination", v.destination);
  return fill_template(tmpl, values, max_items, "+{n} more (-o json lists all)");
}

}  // namespace

std::string finding_message_brief(const Finding& f, const Verdict& v, size_t max_items) {
  const std::string m = brief(f.message_template, f.message, f, v, max_items);
  return f.status == Status::waived ? m + " (waived: " + f.waiver_reason + ")" : m;
}

std::string finding_remediation_brief(const Finding& f, const Verdict& v, size_t max_items) {
  if (f.remediation.empty()) return "";
  return brief(f.remediation_template, f.remediation, f, v, max_items);
}

std::string verdict_headline(VerdictKind v) {
  switch (v) {
    case VerdictKind::go: return "GO";
    case VerdictKind::warn: return "GO (with warnings)";
    case VerdictKind::no_go: return "NO-GO";
    case VerdictKind::undecided: return "UNDECIDED";
  }
  return "UNDECIDED";
}

std::string status_summary(const Verdict& v) {
  std::map<Status, int> n;
  for (const auto& f : v.results) ++n[f.status];
  std::string out;
  for (Status s : {Status::error, Status::block, Status::warn, Status::waived, Status::pass, Status::skip}) {
    if (!n[s]) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(n[s]) + " " + to_string(s);
  }
  return out;
}

}  // namespace preflight
