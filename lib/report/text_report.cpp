#include "report/text_report.hpp"

#include <algorithm>

#include <fmt/format.h>

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

}  // namespace

std::string render_text(const Verdict& v, bool color) {
  const std::string verdict = verdict_headline(v.verdict);
  const char* vcode = v.verdict == VerdictKind::go     ? "\033[1;32m"
                      : v.verdict == VerdictKind::warn ? "\033[1;33m"
                      : v.verdict == VerdictKind::undecided ? "\033[1;35m"
                                                       : "\033[1;31m";
  std::string out = fmt::format("preflight check: {} from {} to {}: {}\n\n", v.vm, v.source, v.destination,
                                paint(verdict, vcode, color));
  size_t width = 4;
  for (const auto& f : v.results) width = std::max(width, f.rule.size());
  std::vector<const Finding*> order;
  for (const auto& f : v.results) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return report_rank(a->status) < report_rank(b->status); });
  out += fmt::format("{:<7} {:<{}} {}\n", "STATUS", "RULE", width, "FINDING");
  for (const Finding* f : order) {
    const std::string status = fmt::format("{:<7}", to_string(f->status));
    out += fmt::format("{} {:<{}} {}\n", paint(status, color_of(f->status), color), f->rule, width, finding_message(*f));
    if (!f->remediation.empty() && f->status != Status::pass && f->status != Status::skip)
      out += fmt::format("{:<7} {:<{}} fix: {}\n", "", "", width, f->remediation);
  }
  out += fmt::format("\n{}\n", status_summary(v));
  if (v.estimate.total_s > 0)
    out += fmt::format("estimate: {:.1f} s in total, {:.0f} ms downtime\n", v.estimate.total_s, v.estimate.downtime_ms);
  return out;
}

}  // namespace preflight
