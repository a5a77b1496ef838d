#include "report/finding_text.hpp"

#include <map>

namespace preflight {

std::string finding_message(const Finding& f) {
  if (f.status != Status::waived) return f.message;
  return f.message + " (waived: " + f.waiver_reason + ")";
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
