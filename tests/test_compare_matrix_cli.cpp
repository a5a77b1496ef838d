// End to end: `preflight compare`, `matrix` and `baseline` count the same features
// for the same hosts (issue 12: compare said 25 missing where matrix said 24, because
// matrix leaves out libvirt's migratable='no' features), and compare and matrix
// with a CPU whose vendor is unknown never call the vendors different.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "support/run_process.hpp"

using preflight::test::fixture;
using preflight::test::run_preflight;

namespace {

nlohmann::json run_json(std::vector<std::string> args) {
  args.insert(args.begin(), {"--inventory", fixture("lab/preflight.yaml")});
  args.insert(args.end(), {"-o", "json"});
  const auto r = run_preflight(args);
  BOOST_TEST_REQUIRE(r.exit_code <= 1, r.err);
  return nlohmann::json::parse(r.out);
}

size_t migratable(const nlohmann::json& list) {
  size_t n = 0;
  for (const auto& f : list) n += f["migratable"].get<bool>();
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(compare_counts_what_matrix_counts_for_every_lab_pair) {
  const auto matrix = run_json({"matrix"});
  size_t judged = 0, fewer = 0;
  for (const auto& p : matrix["pairs"]) {
    const std::string from = p["from"], to = p["to"];
    const auto c = run_json({"compare", from, to});
    BOOST_TEST(c["same_vendor"].get<bool>() == (p["status"] != "vendor"), from + " -> " + to);
    if (p["status"] == "vendor") continue;
    ++judged;
    // What FROM has and TO lacks, as a migrating guest sees it: the matrix's number.
    BOOST_TEST(migratable(c["missing_on_b"]) == p["missing_count"].get<size_t>(), from + " -> " + to);
    fewer += c["missing_on_b"].size() > migratable(c["missing_on_b"]);
  }
  BOOST_TEST(judged == 2u);  // hostA <-> hostB
  BOOST_TEST(fewer == 1u);   // hostA -> hostB: xsaves, which a migrating guest never sees

  // The text says both numbers and why they differ.
  const auto text = run_preflight({"--inventory", fixture("lab/preflight.yaml"), "compare", "hostA", "hostB"});
  BOOST_TEST(text.out.find("hostA has, hostB lacks: 25 (24 a migrating guest can see, as `preflight matrix` counts; "
                           "not migratable: xsaves)") != std::string::npos,
             text.out);
}

BOOST_AUTO_TEST_CASE(baseline_with_migratable_counts_what_matrix_counts) {
  const auto matrix = run_json({"matrix"});
  for (const auto& g : matrix["baselines"]) {
    if (g["hosts"].size() < 2) continue;
    std::vector<std::string> args = {"baseline"};
    for (const auto& h : g["hosts"]) args.push_back(h);
    args.push_back("--migratable");
    BOOST_TEST(run_json(args)["features"].size() == g["feature_count"].get<size_t>(), g["vendor"]);
    args.pop_back();
    const auto all = run_json(args)["features"];
    BOOST_TEST(all.size() > g["feature_count"].get<size_t>());  // invtsc, counted as virsh cpu-baseline does
  }
  const auto text = run_preflight({"--inventory", fixture("lab/preflight.yaml"), "baseline", "hostA", "hostB"});
  BOOST_TEST(text.err.find("(79 features, 78 migratable: invtsc not)") != std::string::npos, text.err);
}

// qemu64 names no vendor in libvirt's cpu_map.
BOOST_AUTO_TEST_CASE(an_unknown_vendor_is_unknown_not_different) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-cmp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string q64 = (dir / "q64.xml").string();
  std::ofstream(q64) << "<domain type='kvm'><name>q64</name><memory>1048576</memory><vcpu>1</vcpu>"
                        "<cpu mode='custom' match='exact'><model>qemu64</model></cpu></domain>\n";
  const std::vector<std::string> inv = {"--inventory", fixture("lab/preflight.yaml")};
  auto compare = [&](const std::string& a, const std::string& b) {
    std::vector<std::string> args = inv;
    args.insert(args.end(), {"compare", a, b});
    return run_preflight(args);
  };
  // hostC has features qemu64 lacks: a known difference decides (exit 1), and the
  // vendor line says what is unknown and why instead of "DIFFERENT".
  const auto c = compare(q64, "hostC");
  BOOST_TEST(c.exit_code == 1, c.err);
  BOOST_TEST(c.out.find("DIFFERENT") == std::string::npos, c.out);
  BOOST_TEST(c.out.find("vendor: unknown for q64 (its CPU description names no <vendor>, and model qemu64 has none "
                        "in libvirt's cpu_map)") != std::string::npos,
             c.out);
  // Nothing known differs, the vendor is unknown: undecided.
  const auto same = compare(q64, q64);
  BOOST_TEST(same.exit_code == 2, same.out);
  std::vector<std::string> args = inv;
  args.insert(args.end(), {"compare", q64, q64, "-o", "json"});
  BOOST_TEST(nlohmann::json::parse(run_preflight(args).out)["same_vendor"].is_null());
  // The matrix agrees: not a vendor mismatch; undecided where no feature is known
  // missing, the count where some are.
  args = inv;
  args.insert(args.end(), {"matrix", q64, "hostC", "-o", "json"});
  const auto m = run_preflight(args);
  BOOST_TEST(m.exit_code == 1, m.err);  // hostC -> q64 lacks features: known
  for (const auto& p : nlohmann::json::parse(m.out)["pairs"]) {
    BOOST_TEST(p["status"] != "vendor", p.dump());
    if (p["from"] == "q64") BOOST_TEST(p["status"] == "unknown", p.dump());
    if (p["from"] == "hostC") BOOST_TEST(p["status"] == "missing", p.dump());
  }
  std::filesystem::remove_all(dir);
}
