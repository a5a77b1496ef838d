#include "support/verdict_formats.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/run_process.hpp"

namespace preflight::test {

namespace {

std::vector<std::string> with_output(std::vector<std::string> args, const std::string& format) {
  args.push_back("-o");
  args.push_back(format);
  return args;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

std::string expect_rule_in_every_format(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                        const std::string& rule, const std::string& status) {
  std::vector<std::string> plain_env = env;
  plain_env.push_back("NO_COLOR=1");
  const ProcessResult json_run = run_preflight(with_output(args, "json"), plain_env);
  nlohmann::json verdict;
  BOOST_REQUIRE_NO_THROW(verdict = nlohmann::json::parse(json_run.out));
  nlohmann::json result;
  for (const auto& r : verdict["results"])
    if (r["rule"] == rule) result = r;
  BOOST_REQUIRE_MESSAGE(!result.is_null(), rule << " is in the JSON results");
  BOOST_TEST(result["status"] == status);
  const std::string message = result["message"];

  std::vector<std::string> wide_env = plain_env;  // one line per finding, to find the message whole
  wide_env.push_back("COLUMNS=100000");
  const ProcessResult text_run = run_preflight(with_output(args, "text"), wide_env);
  BOOST_TEST(text_run.exit_code == json_run.exit_code, "text and JSON exit alike");
  // The row: status, rule id, message; remediation on the next line for findings.
  std::string padded = status;
  padded.resize(8, ' ');
  BOOST_TEST(contains(text_run.out, padded + rule), rule << " row with status " << status << " in:\n" << text_run.out);
  // Whole, or with a long list cut: its start and where the rest is.
  BOOST_TEST((contains(text_run.out, message) ||
              (contains(text_run.out, message.substr(0, 40)) && contains(text_run.out, " more (-o json lists all)"))),
             "the message in text: " << message);
  if (status == "block" || status == "warn") {
    const std::string fix = result["remediation"];
    BOOST_TEST(!fix.empty());
    BOOST_TEST(contains(text_run.out, "fix: " + fix.substr(0, 40)), "remediation in text: " << fix);
  }

  const ProcessResult junit_run = run_preflight(with_output(args, "junit"), plain_env);
  BOOST_TEST(junit_run.exit_code == json_run.exit_code, "JUnit and JSON exit alike");
  pugi::xml_document doc;
  BOOST_REQUIRE_MESSAGE(doc.load_string(junit_run.out.c_str()), "JUnit output parses as XML");
  const pugi::xml_node tc = doc.select_node(("//testcase[@name='" + rule + "']").c_str()).node();
  BOOST_REQUIRE_MESSAGE(tc, rule << " has a JUnit test case");
  const bool failed = status == "block" || status == "error";
  BOOST_TEST(static_cast<bool>(tc.child("failure")) == failed, rule << ": <failure> exactly for block/error");
  BOOST_TEST(static_cast<bool>(tc.child("skipped")) == (status == "skip"), rule << ": <skipped> exactly for skip");
  return json_run.out;
}

nlohmann::json finding(const nlohmann::json& verdict, const std::string& rule) {
  for (const auto& f : verdict["results"])
    if (f["rule"] == rule) return f;
  BOOST_TEST_REQUIRE(false, "the verdict has no result for " << rule << ": " << verdict.dump());
  return {};
}

}  // namespace preflight::test
