#include "report/junit_report.hpp"

#include <sstream>

#include <pugixml.hpp>

#include "report/finding_text.hpp"

namespace preflight {

namespace {

// What a finding is in JUnit: a failure (it blocks, or warns under --strict), an
// error (a fact it needs is unknown), skipped, or a pass with its text in <system-out>.
enum class Outcome { failure, error, skipped, passed };

Outcome outcome_of(const Finding& f, bool strict) {
  switch (f.status) {
    case Status::block: return Outcome::failure;
    case Status::warn: return strict ? Outcome::failure : Outcome::passed;
    case Status::error: return Outcome::error;
    case Status::skip: return Outcome::skipped;
    case Status::pass:
    case Status::waived: return Outcome::passed;
  }
  return Outcome::error;
}

}  // namespace

std::string render_junit(const Verdict& v, bool strict) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  int failures = 0, errors = 0, skipped = 0;
  for (const auto& f : v.results) {
    const Outcome o = outcome_of(f, strict);
    failures += o == Outcome::failure;
    errors += o == Outcome::error;
    skipped += o == Outcome::skipped;
  }
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "preflight";
  suites.append_attribute("tests") = static_cast<int>(v.results.size());
  suites.append_attribute("failures") = failures;
  suites.append_attribute("errors") = errors;
  auto suite = suites.append_child("testsuite");
  const std::string name = "preflight check " + v.vm + " " + (v.source.empty() ? "(new)" : v.source) + " -> " +
                           v.destination + ": " + to_string(v.verdict);
  suite.append_attribute("name") = name.c_str();
  suite.append_attribute("tests") = static_cast<int>(v.results.size());
  suite.append_attribute("failures") = failures;
  suite.append_attribute("errors") = errors;
  suite.append_attribute("skipped") = skipped;
  auto props = suite.append_child("properties");
  const std::string exit_status = std::to_string(static_cast<int>(exit_code(v, strict)));
  for (auto [k, val] : {std::pair{"verdict", to_string(v.verdict)}, std::pair{"vm", v.vm}, std::pair{"source", v.source},
                        std::pair{"destination", v.destination}, std::pair{"strict", std::string(strict ? "true" : "false")},
                        std::pair{"exit_status", exit_status}}) {
    auto p = props.append_child("property");
    p.append_attribute("name") = k;
    p.append_attribute("value") = val.c_str();
  }
  for (const auto& f : v.results) {
    auto tc = suite.append_child("testcase");
    const std::string area = "preflight." + f.rule.substr(0, f.rule.find('.'));
    tc.append_attribute("classname") = area.c_str();
    tc.append_attribute("name") = f.rule.c_str();
    const std::string msg = finding_message(f);
    const Outcome o = outcome_of(f, strict);
    if (o == Outcome::failure || o == Outcome::error) {
      auto fail = tc.append_child(o == Outcome::failure ? "failure" : "error");
      fail.append_attribute("type") = to_string(f.status).c_str();
      fail.append_attribute("message") = msg.c_str();
      const std::string body = msg + (f.remediation.empty() ? "" : "\nfix: " + f.remediation) + "\nevidence: " + f.evidence.dump();
      fail.append_child(pugi::node_pcdata).set_value(body.c_str());
    } else if (o == Outcome::skipped) {
      tc.append_child("skipped").append_attribute("message") = msg.c_str();
    } else {
      const std::string out = to_string(f.status) + ": " + msg + (f.status == Status::pass || f.remediation.empty() ? "" : "\nfix: " + f.remediation);
      tc.append_child("system-out").append_child(pugi::node_pcdata).set_value(out.c_str());
    }
  }
  std::ostringstream ss;
  doc.save(ss, "  ", pugi::format_default, pugi::encoding_utf8);
  return ss.str();
}

}  // namespace preflight
