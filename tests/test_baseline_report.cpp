// What `preflight baseline` prints on stderr beside the CPU: the summary line and
// each host's losses, cut after 20 hosts (report/baseline_report.hpp).
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_catalog.hpp"
#include "report/baseline_report.hpp"

using namespace preflight;

namespace {

const CpuCatalog& cat() {
  static const CpuCatalog c = CpuCatalog::load();
  return c;
}

BaselineInput of_model(const std::string& host, const std::string& model) {
  const CpuModel& m = cat().model(model);
  return {host, m.features, m.vendor, true, model};
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_host_says_what_it_gives_up) {
  // Skylake-Client-IBRS has TSX (hle, rtm); its noTSX-IBRS sibling has not, and nothing else.
  const std::vector<BaselineInput> in = {of_model("tsx", "Skylake-Client-IBRS"),
                                         of_model("notsx", "Skylake-Client-noTSX-IBRS")};
  const Baseline b = compute_baseline(in, cat(), false);
  const std::string text = baseline_summary_text(b, in.size(), cat());
  BOOST_TEST(text.rfind("baseline " + b.cpu.model->name + " of 2 CPUs: x86-64-v", 0) == 0u, text);
  const size_t tsx = text.find("\n  tsx gives up ");
  BOOST_REQUIRE(tsx != std::string::npos);
  const std::string line = text.substr(tsx + 1, text.find('\n', tsx + 1) - tsx - 1);
  BOOST_TEST(line.find(" hle") != std::string::npos, line);
  BOOST_TEST(line.find(" rtm") != std::string::npos, line);
  BOOST_TEST(text.find("\n  notsx gives up 0: nothing\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(past_twenty_hosts_the_rest_are_counted) {
  std::vector<BaselineInput> in;
  for (int i = 0; i < 23; ++i) in.push_back(of_model("h" + std::to_string(i), "Haswell"));
  const Baseline b = compute_baseline(in, cat(), false);
  const std::string text = baseline_summary_text(b, in.size(), cat());
  BOOST_TEST(count(text, " gives up ") == 20u, text);
  BOOST_TEST(text.find("  h19 gives up") != std::string::npos);
  BOOST_TEST(text.find("  h20 gives up") == std::string::npos);
  BOOST_TEST(text.find("\n  ... and 3 more hosts (-o json lists all)\n") != std::string::npos, text);
}
