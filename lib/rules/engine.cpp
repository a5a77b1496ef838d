#include "rules/engine.hpp"

#include "rules/check.hpp"

namespace preflight {
namespace {

Status status_for(Severity s) {
  switch (s) {
    case Severity::block: return Status::block;
    case Severity::warn: return Status::warn;
    case Severity::info: return Status::pass;
  }
  return Status::block;
}

nlohmann::json template_values(const nlohmann::json& evidence, const CheckRequest& req) {
  nlohmann::json v = evidence.is_object() ? evidence : nlohmann::json::object();
  v.emplace("vm", req.vm.name);
  v.emplace("source", req.source.name);
  v.emplace("destination", req.destination.name);
  return v;
}

Finding run_rule(const Rule& rule, const CheckRequest& req) {
  Finding f;
  f.rule = rule.id;
  f.title = rule.title;
  f.requirements = rule.requirements;
  CheckResult r;
  try {
    const CheckFn fn = find_check(rule.check);
    if (!fn) throw Error(rule.file + ":" + std::to_string(rule.line) + ": unknown check '" + rule.check + "'");
    const CheckContext ctx{req.source, req.destination, req.vm, req.policy, req.link, req.cpu_catalog, req.mode,
                           req.new_vm};
    if (const std::string why = req.new_vm ? needs_source_host(rule.check) : ""; !why.empty())
      r = CheckResult::skip("no source host (" + req.vm.name + " is defined on no host yet): " + why);
    else
      r = fn(ctx, rule.params);
  } catch (const std::exception& e) {
    r = CheckResult::error(e.what());
  }
  f.evidence = r.evidence;
  f.subjects = r.subjects;
  switch (r.outcome) {
    case Outcome::pass: f.status = Status::pass; f.message = r.detail; return f;
    case Outcome::skip: f.status = Status::skip; f.message = r.detail; return f;
    case Outcome::error:
      f.status = Status::error;
      f.message = r.detail;
      f.remediation = "collect the missing fact (check the host's connection and the collector's warnings), then re-run";
      return f;
    case Outcome::fire: break;
  }
  const nlohmann::json values = template_values(r.evidence, req);
  auto msg = rule.messages.find(r.variant.empty() ? "fired" : r.variant);
  if (msg == rule.messages.end()) msg = rule.messages.find("fired");
  f.message = fill_template(msg->second, values);
  f.message_template = msg->second;
  if (auto rem = rule.remediations.find(r.variant); !r.variant.empty() && rem != rule.remediations.end()) {
    f.remediation = fill_template(rem->second, values);
    f.remediation_template = rem->second;
  } else {
    f.remediation = fill_template(rule.remediation, values);
    f.remediation_template = rule.remediation_text.empty() ? rule.remediation : rule.remediation_text;
  }
  Severity sev = r.severity.value_or(rule.severity);
  if (auto o = req.policy.severity.find(rule.id); o != req.policy.severity.end()) sev = o->second;
  f.status = status_for(sev);
  if (sev == Severity::info) f.remediation.clear(), f.remediation_template.clear();
  if (f.status == Status::block || f.status == Status::warn) {
    for (const auto& w : req.policy.waivers) {
      if (w.applies(rule.id, req.vm.name, req.source.name, req.destination.name, req.today)) {
        f.evidence["waived_status"] = to_string(f.status);
        f.evidence["waiver"] = {{"reason", w.reason}, {"file", w.file}, {"line", w.line}};
        if (w.expires) f.evidence["waiver"]["expires"] = format_date(*w.expires);
        f.status = Status::waived;
        f.waiver_reason = w.reason;
        break;
      }
      if (w.rule == rule.id && w.expired(req.today))
        f.evidence["expired_waiver"] = {{"reason", w.reason}, {"expired", format_date(*w.expires)},
                                        {"file", w.file}, {"line", w.line}};
    }
  }
  return f;
}

}  // namespace

Verdict evaluate(const RuleCatalog& catalog, const CheckRequest& request) {
  Verdict v;
  v.vm = request.vm.name;
  v.source = request.source.name;
  v.destination = request.destination.name;
  bool error = false, block = false, warn = false;
  for (const auto& rule : catalog.rules) {
    v.results.push_back(run_rule(rule, request));
    const Status s = v.results.back().status;
    error |= s == Status::error;
    block |= s == Status::block;
    warn |= s == Status::warn;
  }
  // A block is final; an error without one leaves the answer open.
  v.verdict = block ? VerdictKind::no_go : error ? VerdictKind::undecided : warn ? VerdictKind::warn : VerdictKind::go;
  return v;
}

std::string to_string(Status s) {
  switch (s) {
    case Status::pass: return "pass";
    case Status::warn: return "warn";
    case Status::block: return "block";
    case Status::waived: return "waived";
    case Status::skip: return "skip";
    case Status::error: return "error";
  }
  return "error";
}

std::string to_string(VerdictKind v) {
  switch (v) {
    case VerdictKind::go: return "go";
    case VerdictKind::warn: return "warn";
    case VerdictKind::no_go: return "no-go";
    case VerdictKind::undecided: return "undecided";
  }
  return "no-go";
}

ExitCode exit_code(const Verdict& v, bool strict) {
  bool warn = false, block = false, error = false;
  for (const auto& f : v.results) {
    error |= f.status == Status::error;
    block |= f.status == Status::block;
    warn |= f.status == Status::warn;
  }
  // A block is final (waived rules are not blocks): what an erroring rule would
  // have said cannot make the move a go, so the answer is known.
  if (block) return ExitCode::no_go;
  if (error || v.verdict == VerdictKind::undecided) return ExitCode::undecided;
  if (v.verdict == VerdictKind::no_go) return ExitCode::no_go;
  if (warn && strict) return ExitCode::no_go;
  return ExitCode::go;
}

}  // namespace preflight
