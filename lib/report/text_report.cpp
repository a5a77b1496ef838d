#include "report/text_report.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/text.hpp"
#include "report/finding_text.hpp"

namespace preflight {
namespace {

const char* color_of(Status s) {
  switch (s) {
    case Status::error:
    case Status::block: return "\033[1;31m";
    case Status::warn: return "\033[33m";
    case Status::waived: return "\033[36m";
    case Status::pass: return "\033[32m";
    case Status::skip: return "\033[2m";
  }
  return "";
}


std::string paint(const std::string& text, const char* code, bool color) {
  return color ? std::string(code) + text + "\033[0m" : text;
}

// Items of a list the text table shows before "+N more".
constexpr size_t kListItems = 6;
// The narrowest FINDING column, whatever the width.
constexpr size_t kMinText = 20;

}  // namespace

std::string render_text(const Verdict& v, bool color, size_t width) {
  const std::string verdict = verdict_headline(v.verdict);
  const char* vcode = v.verdict == VerdictKind::go     ? "\033[1;32m"
                      : v.verdict == VerdictKind::warn ? "\033[1;33m"
                      : v.verdict == VerdictKind::undecided ? "\033[1;35m"
                                                       : "\033[1;31m";
  // No source: a VM defined on no host yet (a domain XML), to be started on the destination.
  const std::string move = v.source.empty() ? fmt::format("{} (defined on no host yet) on {}", v.vm, v.destination)
                                            : fmt::format("{} from {} to {}", v.vm, v.source, v.destination);
  std::string out = fmt::format("preflight check: {}: {}\n\n", move, paint(verdict, vcode, color));
  size_t rule_width = 4;
  for (const auto& f : v.results) rule_width = std::max(rule_width, f.rule.size());
  std::vector<const Finding*> order;
  for (const auto& f : v.results) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return report_rank(a->status) < report_rank(b->status); });
  const size_t indent = 7 + 1 + rule_width + 1;
  const size_t room = std::max(kMinText, width > indent ? width - indent : 0);
  const std::string pad(indent, ' ');
  out += fmt::format("{:<7} {:<{}} {}\n", "STATUS", "RULE", rule_width, "FINDING");
  for (const Finding* f : order) {
    const std::string status = fmt::format("{:<7}", to_string(f->status));
    const std::vector<std::string> lines = wrap(finding_message_brief(*f, v, kListItems), room);
    out += fmt::format("{} {:<{}} {}\n", paint(status, color_of(f->status), color), f->rule, rule_width, lines.front());
    for (size_t i = 1; i < lines.size(); ++i) out += pad + lines[i] + "\n";
    if (f->status != Status::pass && f->status != Status::skip)
      if (const std::string fix = finding_remediation_brief(*f, v, kListItems); !fix.empty())
        for (const std::string& line : wrap("fix: " + fix, room)) out += pad + line + "\n";
  }
  out += fmt::format("\n{}\n", status_summary(v));
  if (v.estimate.total_s > 0)
    out += fmt::format("estimate: {:.1f} s in total, {:.0f} ms downtime{}\n", v.estimate.total_s, v.estimate.downtime_ms,
                       v.estimate.assumed.empty()
                           ? ""
                           : fmt::format("\n  assumed: {}\n  (preflight estimate measures them)",
                                         fmt::join(v.estimate.assumed, ", ")));
  return out;
}

}  // namespace preflight
