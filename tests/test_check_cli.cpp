// End to end: `preflight check` and `preflight rules` on the demo lab (libvirt
// test-driver hosts): exit codes, JSON, JUnit, fail-closed errors.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <map>
#include <set>
#include <sstream>

#include "support/run_process.hpp"
#include "support/verdict_formats.hpp"

using preflight::test::expect_rule_in_every_format;
using preflight::test::fixture;
using preflight::test::run_preflight;

namespace {

std::vector<std::string> check(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "check"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::string status_of(const nlohmann::json& verdict, const std::string& rule) {
  for (const auto& r : verdict["results"])
    if (r["rule"] == rule) return r["status"];
  return "(absent)";
}

// The ids of the shipped rule catalog, as `preflight rules list -o json` gives them.
std::set<std::string> catalog_ids() {
  const auto r = run_preflight({"rules", "list", "-o", "json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  std::set<std::string> ids;
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["schema_version"] == 1);
  for (const auto& rule : j["rules"]) ids.insert(rule["id"].get<std::string>());
  BOOST_TEST_REQUIRE(ids.size() >= 20u);  // the catalog R01-R56 maps onto
  return ids;
}

}  // namespace

// web1 -> hostB is the demo lab's clean move: go, also under --strict (the warn
// case of --strict is app1 -> hostC in test_check_fixtures).
BOOST_AUTO_TEST_CASE(a_clean_move_is_go_exit_0_also_under_strict_and_every_rule_answers) {
  const auto r = run_preflight(check({"web1", "hostB", "-o", "json"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["vm"] == "web1");
  BOOST_TEST(j["source"] == "hostA");
  BOOST_TEST(j["destination"] == "hostB");
  BOOST_TEST(j["verdict"] == "go");
  std::set<std::string> answered;
  for (const auto& f : j["results"]) BOOST_TEST(answered.insert(f["rule"].get<std::string>()).second, f["rule"]);
  BOOST_TEST(answered == catalog_ids());
  BOOST_TEST(status_of(j, "cpu.features") == "pass");
  BOOST_TEST(status_of(j, "storage.shared") == "pass");
  BOOST_TEST(status_of(j, "network.present") == "pass");
  BOOST_TEST(status_of(j, "network.migration-link") == "skip");
  BOOST_TEST(run_preflight(check({"web1", "hostB", "--strict", "-o", "json"})).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_blocked_move_is_no_go_exit_1) {
  const auto r = run_preflight(check({"gpu1", "hostB", "-o", "json"}));
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["verdict"] == "no-go");
  BOOST_TEST(status_of(j, "devices.hostdev") == "block");
  BOOST_TEST(status_of(j, "cpu.features") == "block");  // Cascade Lake guest, Haswell host
  const auto vendor = nlohmann::json::parse(run_preflight(check({"lab3", "hostA", "-o", "json"})).out);
  BOOST_TEST(status_of(vendor, "cpu.vendor") == "block");
  BOOST_TEST(status_of(vendor, "network.present") == "block");
  const auto same = nlohmann::json::parse(run_preflight(check({"web1", "hostA", "-o", "json"})).out);
  BOOST_TEST(status_of(same, "host.distinct") == "block");
}

// The JSON lists what each finding is about, from the checks' facts.
BOOST_AUTO_TEST_CASE(json_results_name_their_subjects) {
  const auto r = run_preflight(check({"cluster1", "hostB", "-o", "json"}));
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> subjects;
  for (const auto& f : j["results"]) subjects[f["rule"]] = f.at("subjects");
  BOOST_TEST(subjects["storage.shareable"] == nlohmann::json::parse(R"([{"kind": "disk", "name": "vdb"}])"),
             subjects["storage.shareable"].dump());
  BOOST_TEST(subjects["network.uplink"] == nlohmann::json::parse(R"([{"kind": "bridge", "name": "br-stor"}])"),
             subjects["network.uplink"].dump());
  BOOST_TEST(subjects["network.present"] == nlohmann::json::array());  // passes
}

BOOST_AUTO_TEST_CASE(junit_has_one_testcase_per_rule) {
  const auto r = run_preflight(check({"gpu1", "hostB", "-o", "junit"}));
  BOOST_TEST(r.exit_code == 1);
  pugi::xml_document doc;
  BOOST_REQUIRE(doc.load_string(r.out.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  std::set<std::string> cases;
  for (auto tc : suite.children("testcase")) cases.insert(tc.attribute("name").value());
  BOOST_TEST(cases == catalog_ids());
  BOOST_TEST(static_cast<bool>(suite.find_child_by_attribute("testcase", "name", "devices.hostdev").child("failure")));
  BOOST_TEST(!suite.find_child_by_attribute("testcase", "name", "cpu.vendor").child("failure"));
}

BOOST_AUTO_TEST_CASE(text_output_names_findings_and_fixes_without_colour_when_piped) {
  const auto r = run_preflight(check({"gpu1", "hostB"}));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out.find("NO-GO") != std::string::npos);
  BOOST_TEST(r.out.find("devices.hostdev") != std::string::npos);
  BOOST_TEST(r.out.find("fix: Detach the devices") != std::string::npos);
  BOOST_TEST(r.out.find('\033') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_waiver_shows_as_waived_with_its_reason) {
  const auto r = run_preflight(check({"gpu1", "hostB", "-o", "json", "--policy", fixture("rules/waive-hostdev.yaml")}));
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(status_of(j, "devices.hostdev") == "waived");
  BOOST_TEST(preflight::test::finding(j, "devices.hostdev")["message"].get<std::string>().find(
                 "(waived: same GPU model at the same PCI address on hostB, CHG-42)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(undecidable_inputs_exit_2_naming_what) {
  auto r = run_preflight(check({"nosuch", "hostB"}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("VM 'nosuch' not found on any inventory host") != std::string::npos, r.err);
  BOOST_TEST(r.out.empty());
  r = run_preflight(check({"web1", "hostb"}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("unknown host 'hostb' (did you mean 'hostB'?)") != std::string::npos, r.err);
  r = run_preflight(check({"web1", "hostB", "--policy", fixture("rules/bad-policy.yaml")}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("bad-policy.yaml:2: waiver of 'devices.hostdev' has no 'reason'") != std::string::npos, r.err);
  r = run_preflight({"--inventory", fixture("lab/preflight.yaml"), "--rules", fixture("rules/bad-rules"), "check", "web1", "hostB"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("broken.yaml:6: unknown check 'vendor_cpu'") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(rules_list_and_explain) {
  auto r = run_preflight({"rules", "list", "-o", "json"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(nlohmann::json::parse(r.out)["rules"].size() == catalog_ids().size());
  BOOST_TEST(catalog_ids().count("cpu.features") == 1u);
  r = run_preflight({"rules", "explain", "network.uplink"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("requirements: R21") != std::string::npos, r.out);
  r = run_preflight({"rules", "explain", "network.uplnk"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("unknown rule 'network.uplnk' (did you mean 'network.uplink'?)") != std::string::npos, r.err);
}

// Each rule's fixture pair on the demo lab: a move where it fires, and web1 -> hostB
// (shared disk, same networks, Haswell guest) where it does not.
BOOST_AUTO_TEST_CASE(lab_fixture_pairs_fire_and_pass) {
  struct Case {
    const char *vm, *dest, *rule, *fires, *passes;
  };
  const Case cases[] = {
      {"epyc1", "hostA", "cpu.vendor", "block", "pass"},
      {"gpu1", "hostB", "cpu.features", "block", "pass"},
      {"test1", "hostA", "cpu.passthrough", "block", "skip"},
      {"lb1", "hostA", "storage.shared", "warn", "pass"},
      {"erp1", "hostA", "storage.space", "block", "pass"},
      {"cluster1", "hostB", "storage.shareable", "block", "pass"},
      {"media1", "hostA", "storage.host-media", "block", "skip"},
      {"win1", "hostB", "storage.media-visible", "block", "skip"},
      {"lab3", "hostA", "network.present", "block", "pass"},
      {"cluster1", "hostB", "network.uplink", "block", "pass"},
      {"legacy1", "hostA", "devices.host-ports", "block", "pass"},
      {"gpu1", "hostB", "devices.hostdev", "block", "pass"},
      {"ws1", "hostA", "placement.affinity", "warn", "pass"},
      {"db1", "hostB", "placement.affinity", "block", "pass"},
      {"db1", "hostB", "resources.memory", "block", "pass"},
      {"web1", "hostA", "host.distinct", "block", "pass"},
  };
  const auto clean = nlohmann::json::parse(run_preflight(check({"web1", "hostB", "-o", "json"})).out);
  for (const auto& c : cases) {
    const auto r = run_preflight(check({c.vm, c.dest, "-o", "json"}));
    BOOST_TEST_CONTEXT(c.vm << " -> " << c.dest << ": " << c.rule) {
      BOOST_TEST((r.exit_code == 0 || r.exit_code == 1), r.err);
      if (std::string(c.fires) == "block") BOOST_TEST(r.exit_code == 1);
      BOOST_TEST(status_of(nlohmann::json::parse(r.out), c.rule) == c.fires);
      BOOST_TEST(status_of(clean, c.rule) == c.passes);
      // The same in text and JUnit, firing and passing.
      expect_rule_in_every_format(check({c.vm, c.dest}), {}, c.rule, c.fires);
      expect_rule_in_every_format(check({"web1", "hostB"}), {}, c.rule, c.passes);
    }
  }
}

// The text table on the demo lab's worst move: no line wider than COLUMNS, the
// missing features capped with where the rest are, no mask XML (JSON has it).
BOOST_AUTO_TEST_CASE(text_fits_columns_caps_the_feature_list_and_points_to_mask) {
  const auto json = run_preflight(check({"db1", "hostB", "-o", "json"}));
  BOOST_TEST_REQUIRE(json.exit_code == 1, json.err);
  const auto j = nlohmann::json::parse(json.out);
  nlohmann::json features;
  for (const auto& r : j["results"])
    if (r["rule"] == "cpu.features") features = r;
  BOOST_TEST(features["remediation"].get<std::string>().find("<cpu mode='custom'") != std::string::npos);
  const auto& missing = features["evidence"]["missing"];
  BOOST_TEST_REQUIRE(missing.size() > 6u);
  for (const std::string columns : {"80", "100"}) {
    BOOST_TEST_CONTEXT("COLUMNS=" << columns) {
      const auto r = run_preflight(check({"db1", "hostB"}), {"COLUMNS=" + columns});
      BOOST_TEST(r.exit_code == 1, r.err);
      std::istringstream in(r.out);
      std::string words;  // the text as read, lines joined by one space
      for (std::string line; std::getline(in, line);) {
        BOOST_TEST(line.size() <= std::stoul(columns), line);
        const size_t start = line.find_first_not_of(' ');
        if (start != std::string::npos) words += " " + line.substr(start);
      }
      BOOST_TEST(r.out.find("<cpu mode") == std::string::npos);  // the mask's XML (<cputune> is a name, not XML to paste)
      BOOST_TEST(r.out.find("<feature") == std::string::npos);
      std::string listed;
      for (size_t i = 0; i < 6; ++i) listed += missing[i].get<std::string>() + ", ";
      BOOST_TEST(words.find(": " + listed + "+" + std::to_string(missing.size() - 6) + " more (-o json lists all)") !=
                     std::string::npos, words);
      BOOST_TEST(words.find("`preflight mask db1 --hosts hostA hostB`") != std::string::npos);
    }
  }
}
