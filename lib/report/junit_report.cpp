#include "report/junit_report.hpp"

#include <sstream>

#include <pugixml.hpp>

#include "report/finding_text.hpp"

namespace preflight {

std::string render_junit(const Verdict& v) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  int failures = 0, skipped = 0;
  for (const auto& f : v.results) {
    failures += f.status == Status::block || f.status == Status::error;
    skipped += f.status == Status::skip;
  }
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "preflight";
  suites.append_attribute("tests") = static_cast<int>(v.results.size());
  suites.append_attribute("failures") = failures;
  auto suite = suites.append_child("testsuite");
  const std::string name = "preflight check " + v.vm + " " + v.source + " -> " + v.destination + ": " + to_string(v.verdict);
  suite.append_attribute("name") = name.c_str();
  suite.append_attribute("tests") = static_cast<int>(v.results.size());
  suite.append_attribute("failures") = failures;
  suite.append_attribute("errors") = 0;
  suite.append_attribute("skipped") = skipped;
  auto props = suite.append_child("properties");
  for (auto [k, val] : {std::pair{"verdict", to_string(v.verdict)}, std::pair{"vm", v.vm}, std::pair{"source", v.source},
                        std::pair{"destination", v.destination}}) {
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
    if (f.status == Status::block || f.status == Status::error) {
      auto fail = tc.append_child("failure");
      fail.append_attribute("type") = to_string(f.status).c_str();
      fail.append_attribute("message") = msg.c_str();
      const std::string body = msg + (f.remediation.empty() ? "" : "\nfix: " + f.remediation) + "\nevidence: " + f.evidence.dump();
      fail.append_child(pugi::node_pcdata).set_value(body.c_str());
    } else if (f.status == Status::skip) {
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
