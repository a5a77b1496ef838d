// Hosts given as files are named by their files, never by the hostname inside:
// machines cloned from one image share a hostname, and facts fetched one folder per
// machine share a file name (DEST/web01/facts.yaml, DEST/web02/facts.yaml); both
// stay as many hosts as files, in baseline and matrix alike.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "collect/host_source.hpp"
#include "core/text.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using preflight::file_host_names;
using preflight::test::fixture;
using preflight::test::run_preflight;
using Names = std::vector<std::string>;

BOOST_AUTO_TEST_CASE(files_of_one_name_are_told_apart_by_the_shortest_tail_of_their_paths) {
  BOOST_TEST(file_host_names({"a/rack1-07.yaml", "b/rack2-11.yaml"}) == (Names{"rack1-07", "rack2-11"}),
             boost::test_tools::per_element());
  BOOST_TEST(file_host_names({"facts/web01/facts.yaml", "facts/web02/facts.yaml", "other.yaml"}) ==
                 (Names{"web01/facts", "web02/facts", "other"}),
             boost::test_tools::per_element());
  // Ansible's fetch: DEST/HOST/REMOTE-PATH; the folders that differ are kept.
  BOOST_TEST(file_host_names({"/f/web01/tmp/pf.yaml", "/f/web02/tmp/pf.yaml"}) ==
                 (Names{"web01/tmp/pf", "web02/tmp/pf"}),
             boost::test_tools::per_element());
  // One file given twice is one name; a path that is a tail of another keeps its own.
  BOOST_TEST(file_host_names({"x/h.yaml", "./x/h.yaml", "y/x/h.yaml"}) == (Names{"x/h", "x/h", "y/x/h"}),
             boost::test_tools::per_element());
  BOOST_TEST(file_host_names({"h.yaml", "d/h.yaml"}) == (Names{"h", "d/h"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(facts_files_of_one_name_and_one_hostname_stay_as_many_hosts) {
  const preflight::test::TempDir dir("preflight-file-host-names");
  const std::string golden = preflight::read_file(fixture("golden/facts_full.yaml"));
  std::vector<std::string> files;
  for (const char* host : {"web01", "web02", "web03"}) {
    fs::create_directories(dir.path / host);
    files.push_back((dir.path / host / "facts.yaml").string());
    preflight::write_file(files.back(), golden);  // one hostname inside all three
  }

  std::vector<std::string> args = {"baseline"};
  args.insert(args.end(), files.begin(), files.end());
  const auto b = run_preflight(args);
  BOOST_TEST(b.exit_code == 0, b.err);
  for (const char* host : {"web01", "web02", "web03"})
    BOOST_TEST(b.err.find(std::string("  ") + host + "/facts gives up 0") != std::string::npos, b.err);

  args[0] = "matrix";
  args.insert(args.end(), {"-o", "json"});
  const auto m = run_preflight(args);
  BOOST_TEST(m.exit_code == 0, m.err);
  std::set<std::string> names;
  const json j = json::parse(m.out);
  for (const auto& h : j["hosts"]) names.insert(h["host"].get<std::string>());
  BOOST_TEST((names == std::set<std::string>{"web01/facts", "web02/facts", "web03/facts"}), m.out);
}
