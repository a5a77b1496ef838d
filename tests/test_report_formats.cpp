// Reporters: JSON exactly the shape of docs/architecture.md, JUnit that parses with one testcase
// per rule, text with colour only when asked.
#include <boost/test/unit_test.hpp>

#include <pugixml.hpp>

#include <sstream>

#include "report/junit_report.hpp"
#include "report/text_report.hpp"
#include "report/verdict_json.hpp"

using namespace preflight;

namespace {

Verdict sample() {
  Verdict v;
  v.verdict = VerdictKind::no_go;
  v.vm = "vm1";
  v.source = "hostA";
  v.destination = "hostB";
  Finding pass{"cpu.vendor", "Same vendor", Status::pass, "both CPUs are Intel", {{"source_vendor", "Intel"}}, "", "", {"R01"}};
  Finding block{"network.present", "Networks", Status::block, "hostB lacks network 'a<b>&\"c\"'", {{"missing", {"a<b>"}}},
                "define it & retry", "", {"R20"},
                {{Subject::Kind::network, "a<b>&\"c\""}, {Subject::Kind::bridge, "br0"}}};
  Finding skip{"storage.host-media", "Media", Status::skip, "VM vm1 has no CD-ROM or floppy", {}, "", "", {"R13"}};
  Finding waived{"network.uplink", "Uplink", Status::waived, "isolated", {}, "add a NIC", "intranet VM", {"R21"}};
  Finding error{"resources.memory", "Memory", Status::error, "hostB: fact memory.free_kib is unknown (x)", {}, "collect it", "", {"R40"}};
  Finding warn{"storage.shared", "Shared", Status::warn, "copy vda", {}, "use shared storage", "", {"R10"}};
  v.results = {pass, block, skip, waived, error, warn};
  v.estimate = {12.5, 150};
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_has_exactly_the_design_shape) {
  const auto j = nlohmann::json::parse(render_json(sample()));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  BOOST_TEST((keys == std::vector<std::string>{"destination", "estimate", "results", "schema_version", "source",
                                               "verdict", "vm"}));
  BOOST_TEST(j["schema_version"] == 1);
  BOOST_TEST(j["verdict"] == "no-go");
  BOOST_TEST(j["estimate"]["total_s"] == 12.5);
  BOOST_TEST(j["estimate"]["downtime_ms"] == 150.0);
  BOOST_REQUIRE_EQUAL(j["results"].size(), 6u);
  for (const auto& r : j["results"]) {
    std::vector<std::string> rk;
    for (auto it = r.begin(); it != r.end(); ++it) rk.push_back(it.key());
    BOOST_TEST((rk == std::vector<std::string>{"evidence", "message", "remediation", "rule", "status", "subjects"}));
  }
  BOOST_TEST(j["results"][1]["status"] == "block");
  BOOST_TEST(j["results"][3]["status"] == "waived");
  BOOST_TEST(j["results"][3]["message"] == "isolated (waived: intranet VM)");
}

BOOST_AUTO_TEST_CASE(json_lists_each_findings_subjects_by_kind_and_name) {
  const auto j = nlohmann::json::parse(render_json(sample()));
  const auto expected =
      nlohmann::json::parse(R"([{"kind": "network", "name": "a<b>&\"c\""}, {"kind": "bridge", "name": "br0"}])");
  BOOST_TEST(j["results"][1]["subjects"] == expected);
  BOOST_TEST(j["results"][0]["subjects"] == nlohmann::json::array());  // none: an empty list, not null
  for (const auto kind : {Subject::Kind::network, Subject::Kind::bridge, Subject::Kind::disk, Subject::Kind::pool,
                          Subject::Kind::device, Subject::Kind::cpu, Subject::Kind::memory, Subject::Kind::host}) {
    Verdict v = sample();
    v.results[0].subjects = {{kind, "x"}};
    const auto r = verdict_to_json(v)["results"][0]["subjects"][0];
    BOOST_TEST(r["kind"] == to_string(kind));
    BOOST_TEST(r["name"] == "x");
  }
}

BOOST_AUTO_TEST_CASE(junit_parses_with_one_testcase_per_rule) {
  const std::string xml = render_junit(sample());
  pugi::xml_document doc;
  BOOST_REQUIRE(doc.load_string(xml.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  BOOST_TEST(suite.attribute("tests").as_int() == 6);
  BOOST_TEST(suite.attribute("failures").as_int() == 1);  // the block
  BOOST_TEST(suite.attribute("errors").as_int() == 1);    // the rule whose fact is unknown
  BOOST_TEST(doc.child("testsuites").attribute("errors").as_int() == 1);
  BOOST_TEST(suite.attribute("skipped").as_int() == 1);
  std::map<std::string, pugi::xml_node> cases;
  for (auto tc : suite.children("testcase")) cases[tc.attribute("name").value()] = tc;
  BOOST_TEST(cases.size() == 6u);
  BOOST_TEST(std::string(cases["network.present"].child("failure").attribute("message").value()) ==
             "hostB lacks network 'a<b>&\"c\"'");
  BOOST_TEST(std::string(cases["network.present"].child("failure").attribute("type").value()) == "block");
  BOOST_TEST(!cases["resources.memory"].child("failure"));
  BOOST_TEST(std::string(cases["resources.memory"].child("error").attribute("type").value()) == "error");
  BOOST_TEST(!cases["storage.shared"].child("failure"));  // a warn passes without --strict
  BOOST_TEST(cases["storage.host-media"].child("skipped"));
  BOOST_TEST(!cases["network.uplink"].child("failure"));
  BOOST_TEST(std::string(cases["network.uplink"].child_value("system-out")).find("waived: intranet VM") != std::string::npos);
  BOOST_TEST(!cases["cpu.vendor"].child("failure"));
  BOOST_TEST(std::string(cases["cpu.vendor"].attribute("classname").value()) == "preflight.cpu");
}

// Exit status 2 (an error, no block): "undecided" in every format; a block beats it.
BOOST_AUTO_TEST_CASE(undecided_is_one_word_in_text_json_and_junit) {
  Verdict v = sample();
  std::erase_if(v.results, [](const Finding& f) { return f.status == Status::block; });
  v.verdict = VerdictKind::undecided;
  BOOST_TEST((exit_code(v, false) == ExitCode::undecided));
  BOOST_TEST(render_text(v, false, 80).find("vm1 from hostA to hostB: UNDECIDED\n") != std::string::npos);
  BOOST_TEST(nlohmann::json::parse(render_json(v))["verdict"] == "undecided");
  pugi::xml_document doc;
  BOOST_REQUIRE(doc.load_string(render_junit(v).c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  BOOST_TEST(suite.attribute("errors").as_int() == 1);
  BOOST_TEST(suite.attribute("failures").as_int() == 0);
  BOOST_TEST(std::string(suite.attribute("name").value()).find(": undecided") != std::string::npos);
  BOOST_TEST(std::string(suite.child("properties").find_child_by_attribute("property", "name", "exit_status")
                             .attribute("value").value()) == "2");
}

// Under --strict a warning makes exit status 1: JUnit counts it as a failure then.
BOOST_AUTO_TEST_CASE(junit_agrees_with_the_exit_status_under_strict) {
  Verdict v = sample();
  std::erase_if(v.results, [](const Finding& f) { return f.status == Status::block || f.status == Status::error; });
  v.verdict = VerdictKind::warn;
  for (const bool strict : {false, true}) {
    BOOST_TEST_CONTEXT("strict " << strict) {
      pugi::xml_document doc;
      BOOST_REQUIRE(doc.load_string(render_junit(v, strict).c_str()));
      const auto suite = doc.child("testsuites").child("testsuite");
      const int exit_status = static_cast<int>(exit_code(v, strict));
      BOOST_TEST(exit_status == (strict ? 1 : 0));
      BOOST_TEST(suite.attribute("failures").as_int() == (strict ? 1 : 0));
      BOOST_TEST(suite.attribute("errors").as_int() == 0);
      const auto warn = suite.find_child_by_attribute("testcase", "name", "storage.shared");
      BOOST_TEST(static_cast<bool>(warn.child("failure")) == strict);
      BOOST_TEST(std::string(warn.child("failure").attribute("type").value()) == (strict ? "warn" : ""));
      BOOST_TEST(suite.child("properties").find_child_by_attribute("property", "name", "exit_status")
                     .attribute("value").as_int() == exit_status);
    }
  }
}

BOOST_AUTO_TEST_CASE(text_lists_problems_first_with_remediation) {
  const std::string plain = render_text(sample(), false, 80);
  BOOST_TEST(plain.find('\033') == std::string::npos);
  BOOST_TEST(plain.find("vm1 from hostA to hostB: NO-GO") != std::string::npos);
  BOOST_TEST(plain.find("fix: define it & retry") != std::string::npos);
  BOOST_TEST(plain.find("resources.memory") < plain.find("network.present"));  // error before block
  BOOST_TEST(plain.find("network.present") < plain.find("cpu.vendor"));       // block before pass
  BOOST_TEST(plain.find("1 error, 1 block, 1 warn, 1 waived, 1 pass, 1 skip") != std::string::npos);
  const std::string colored = render_text(sample(), true, 80);
  BOOST_TEST(colored.find("\033[") != std::string::npos);
}

namespace {

// A cpu.features finding as the engine fills it: 13 missing features, a fix that
// carries the mask's XML, and the rule's shorter remediation_text for terminals.
Finding long_list_finding() {
  Finding f;
  f.rule = "cpu.features";
  f.status = Status::block;
  f.message_template = "{vm} sees CPU features that {destination} lacks: {missing}";
  f.evidence = {{"missing", nlohmann::json::array()}, {"mask_libvirt", "<cpu mode='custom'><model>M</model></cpu>"}};
  for (int i = 0; i < 13; ++i) f.evidence["missing"].push_back("feature" + std::to_string(i) + " (absent in silicon)");
  f.message = fill_template(f.message_template, {{"vm", "vm1"}, {"destination", "hostB"}, {"missing", f.evidence["missing"]}});
  f.remediation = "Give vm1 the mask (libvirt: <cpu mode='custom'><model>M</model></cpu>); `preflight mask vm1 --hosts hostA hostB` prints it.";
  f.remediation_template = "Give {vm} the mask: `preflight mask {vm} --hosts {source} {destination}` prints it.";
  return f;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The text with each line's leading blanks gone and the lines joined by one space:
// the words as a reader reads them, wherever the lines broke.
std::string unwrapped(const std::string& text) {
  std::string out;
  for (const std::string& line : lines_of(text)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    out += (out.empty() ? "" : " ") + line.substr(start);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(text_wraps_to_the_width_caps_long_lists_and_keeps_xml_out) {
  Verdict v = sample();
  v.results.push_back(long_list_finding());
  for (const size_t width : {80u, 100u, 60u}) {
    BOOST_TEST_CONTEXT("width " << width) {
      const std::string text = render_text(v, false, width);
      for (const std::string& line : lines_of(text)) BOOST_TEST(line.size() <= width, line);
      BOOST_TEST(text.find("<cpu") == std::string::npos);
      const std::string words = unwrapped(text);
      // The first six items, then how many more and where they are; the wording around is whole.
      BOOST_TEST(words.find("vm1 sees CPU features that hostB lacks: feature0 (absent in silicon), feature1 (absent in "
                            "silicon), feature2 (absent in silicon), feature3 (absent in silicon), feature4 (absent in "
                            "silicon), feature5 (absent in silicon), +7 more (-o json lists all)") != std::string::npos,
                 words);
      BOOST_TEST(words.find("feature6") == std::string::npos);
      BOOST_TEST(words.find("fix: Give vm1 the mask: `preflight mask vm1 --hosts hostA hostB` prints it.") !=
                 std::string::npos);
      // Continuation lines sit under the FINDING column.
      const auto lines = lines_of(text);
      const size_t column = lines[2].find("FINDING");
      BOOST_REQUIRE(column != std::string::npos);
      for (size_t i = 3; i < lines.size() && !lines[i].empty(); ++i)
        if (lines[i][0] == ' ') BOOST_TEST(lines[i].find_first_not_of(' ') == column, lines[i]);
    }
  }
  // JSON keeps the whole list and the full fix.
  const auto j = nlohmann::json::parse(render_json(v));
  BOOST_TEST(j["results"][6]["message"].get<std::string>().find("feature12 (absent in silicon)") != std::string::npos);
  BOOST_TEST(j["results"][6]["remediation"].get<std::string>().find("<cpu mode='custom'>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_cuts_a_word_longer_than_the_column_after_a_comma) {
  Verdict v = sample();
  std::string cpus;
  for (int i = 0; i < 48; ++i) cpus += (cpus.empty() ? "" : ",") + std::to_string(i);
  v.results = {{"placement.affinity", "Pinning", Status::block, "it has " + cpus, {}, "", "", {}}};
  const std::string text = render_text(v, false, 80);
  for (const std::string& line : lines_of(text)) BOOST_TEST(line.size() <= 80u, line);
  const auto lines = lines_of(text);
  const size_t column = lines[2].find("FINDING");
  std::string joined;  // the FINDING column's pieces put back together give the list whole
  for (size_t i = 3; i < lines.size() && !lines[i].empty(); ++i) joined += lines[i].substr(column);
  BOOST_TEST(joined.find(cpus) != std::string::npos, joined);
  BOOST_TEST(lines.size() > 6u);  // it did wrap
}
