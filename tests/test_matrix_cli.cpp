// End to end: `preflight matrix` on the demo lab: hostA (Cascade Lake) -> hostB
// (Haswell) loses features, hostB -> hostA is ok, anything <-> hostC (AMD) is a
// vendor mismatch; a host whose CPU cannot be resolved fails closed (exit 2).
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"

using nlohmann::json;
using preflight::test::fixture;
using preflight::test::run_preflight;

namespace {

std::vector<std::string> demo(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "matrix"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::map<std::pair<std::string, std::string>, json> by_pair(const json& j) {
  std::map<std::pair<std::string, std::string>, json> out;
  for (const auto& p : j["pairs"]) out[{p["from"], p["to"]}] = p;
  return out;
}

// A grid row: the host padded to "FROM \\ TO", each cell to "vendor", two blanks between.
std::string fmt_row(const std::string& host, const std::string& a, const std::string& b, const std::string& c) {
  auto pad = [](std::string s, size_t n) { return s.append(n > s.size() ? n - s.size() : 0, ' '); };
  return pad(host, 9) + "  " + pad(a, 6) + "  " + pad(b, 6) + "  " + c + "\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_demo_lab_pairs_in_json_with_the_missing_feature_names) {
  const auto r = run_preflight(demo({"-o", "json"}));
  BOOST_TEST(r.exit_code == 1, r.err);  // some pair cannot move
  const json j = json::parse(r.out);
  const auto pairs = by_pair(j);
  BOOST_TEST(pairs.size() == 6u);  // every ordered pair of 3 hosts
  auto at = [&](const std::string& from, const std::string& to) { return pairs.at({from, to}); };

  const json ab = at("hostA", "hostB");
  BOOST_TEST(ab["status"] == "missing");
  BOOST_TEST(ab["missing_count"].get<size_t>() == ab["missing"].size());
  BOOST_TEST(ab["missing"].size() > 10u);
  std::set<std::string> names;
  for (const auto& m : ab["missing"]) names.insert(m["feature"]);
  for (const std::string f : {"avx512f", "avx512bw", "clwb"}) BOOST_TEST(names.count(f) == 1u, f);
  BOOST_TEST(names.count("invtsc") == 0u);  // not migratable: no guest of hostA sees it

  BOOST_TEST(at("hostB", "hostA")["status"] == "ok");
  BOOST_TEST(at("hostB", "hostA")["missing"].empty());
  for (const std::string other : {"hostA", "hostB"}) {
    BOOST_TEST(at(other, "hostC")["status"] == "vendor", other);
    BOOST_TEST(at("hostC", other)["status"] == "vendor", other);
    BOOST_TEST(at("hostC", other)["vendors"] == json::array({"AMD", "Intel"}), other);
  }

  // What the matrix says hostB lacks is what `compare` says it lacks.
  const json c = json::parse(run_preflight({"--inventory", fixture("lab/preflight.yaml"), "compare", "hostA", "hostB",
                                            "-o", "json"})
                                 .out);
  std::set<std::string> compared;
  for (const auto& m : c["missing_on_b"]) compared.insert(m["feature"]);
  for (const auto& n : names) BOOST_TEST(compared.count(n) == 1u, n);

  // Each host's share of its vendor's baseline: hostA gives up what hostB lacks.
  std::map<std::string, json> hosts;  // every lab host is a class of its own, named by the host
  for (const auto& c : j["classes"]) hosts[c["label"]] = c;
  BOOST_TEST(j["classes"].size() == 3u);
  BOOST_TEST(hosts["hostA"]["hosts"] == json::array({"hostA"}));
  BOOST_TEST(hosts["hostA"]["baseline"]["gives_up"] == ab["missing_count"]);
  BOOST_TEST(hosts["hostB"]["baseline"]["gives_up"] == 0);
  BOOST_TEST(hosts["hostA"]["baseline"]["model"] == "Haswell-noTSX-IBRS");
  BOOST_TEST(hosts["hostC"]["baseline"]["vendor"] == "AMD");
  BOOST_TEST(j["baselines"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_text_grid_is_aligned_with_a_legend_and_the_baselines) {
  const auto r = run_preflight(demo({}));
  BOOST_TEST(r.exit_code == 1, r.err);
  const size_t lost = json::parse(run_preflight(demo({"-o", "json"})).out)["pairs"][0]["missing_count"];
  const std::string grid = "FROM \\ TO  hostA   hostB   hostC\n" +
                           fmt_row("hostA", "-", std::to_string(lost), "vendor") +
                           "hostB      ok      -       vendor\n"
                           "hostC      vendor  vendor  -\n";
  BOOST_TEST(r.out.find(grid) != std::string::npos, r.out);
  BOOST_TEST(r.out.find("  vendor  different CPU vendors: no guest can move between them\n") != std::string::npos);
  BOOST_TEST(r.out.find("  ok      TO offers every feature of FROM's CPU") != std::string::npos);
  BOOST_TEST(r.out.find("baseline of the Intel hosts (hostA, hostB): Haswell-noTSX-IBRS, ") != std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("baseline of the AMD hosts (hostC): EPYC-Rome, ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("(gives up " + std::to_string(lost) + ")") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("no baseline spans all hosts: their CPU vendors differ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(named_hosts_and_files_and_an_all_ok_matrix_is_exit_0) {
  // hostB and the file of its CPU: one CPU class of two hosts, no pair to fail.
  const auto r = run_preflight(demo({"hostB", fixture("lab/hostB-cpu.xml"), "-o", "json"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST(j["classes"].size() == 1u);
  BOOST_TEST(j["classes"][0]["hosts"].size() == 2u);
  BOOST_TEST(j["pairs"].empty());

  const auto two = run_preflight(demo({"hostA", "hostB", "-o", "json"}));
  BOOST_TEST(two.exit_code == 1, two.err);
  BOOST_TEST(json::parse(two.out)["pairs"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_host_whose_cpu_cannot_be_resolved_fails_closed_exit_2) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-matrix-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string inventory = (dir / "preflight.yaml").string();
  // hostA without its cpu: file: the test driver reports no CPU model of its own.
  std::ofstream(inventory) << "hosts:\n  hostA:\n    libvirt: test://" << fixture("lab/hostA.xml")
                           << "\n  hostB:\n    libvirt: test://" << fixture("lab/hostB.xml")
                           << "\n    cpu: " << fixture("lab/hostB-cpu.xml") << "\n";
  const auto r = run_preflight({"--inventory", inventory, "matrix"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.empty(), r.out);
  BOOST_TEST(r.err.rfind("preflight: matrix: cannot resolve the CPU of 1 host: host 'hostA': CPU not known", 0) == 0,
             r.err);
  BOOST_TEST(r.err.find("no pair is judged on a guess") != std::string::npos, r.err);
  std::filesystem::remove_all(dir);

  const auto one = run_preflight(demo({"hostA"}));
  BOOST_TEST(one.exit_code == 2);
  BOOST_TEST(one.err == "preflight: matrix: 1 host given, a matrix needs at least two; name two or more hosts, or "
                        "add hosts to the inventory\n");
  const auto unknown = run_preflight(demo({"hostA", "nosuch"}));
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(unknown.err.find("nosuch") != std::string::npos, unknown.err);
}

BOOST_AUTO_TEST_CASE(help_shows_examples) {
  const auto r = run_preflight({"matrix", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("preflight matrix hostA hostB -o json") != std::string::npos, r.out);
}

// A generated fleet of 10,000 hosts (one <cpu> file, the three lab CPUs in turn):
// three CPU classes, a 3 x 3 class matrix, every host in its class (correctness;
// the time is bench/'s business).
BOOST_AUTO_TEST_CASE(a_fleet_of_10000_hosts_is_three_classes) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-fleet-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cpus[3];
  for (int i = 0; i < 3; ++i) {
    std::ifstream in(fixture(std::string("lab/host") + "ABC"[i] + "-cpu.xml"));
    cpus[i].assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string fleet = (dir / "fleet.xml").string();
  {
    std::ofstream out(fleet);
    for (int i = 0; i < 10000; ++i) out << cpus[i % 3] << "\n";
  }
  const auto r = run_preflight({"matrix", fleet, "-o", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST_REQUIRE(j["classes"].size() == 3u);
  BOOST_TEST(j["classes"][0]["hosts"].size() == 3334u);
  BOOST_TEST(j["classes"][1]["hosts"].size() == 3333u);
  BOOST_TEST(j["classes"][2]["hosts"].size() == 3333u);
  BOOST_TEST(j["classes"][0]["hosts"][1] == "fleet#4");
  BOOST_TEST(j["hosts"].size() == 10000u);
  BOOST_TEST(j["hosts"][9999]["class"] == 1);  // fleet#10000 is a hostA CPU
  BOOST_TEST(j["pairs"].size() == 6u);
  const json lab = json::parse(run_preflight(demo({"-o", "json"})).out);
  for (size_t k = 0; k < 6; ++k) {  // the same verdicts as the three lab hosts'
    BOOST_TEST(j["pairs"][k]["status"] == lab["pairs"][k]["status"], k);
    BOOST_TEST(j["pairs"][k]["missing_count"] == lab["pairs"][k]["missing_count"], k);
  }
  const auto text = run_preflight({"matrix", fleet});
  BOOST_TEST(text.out.find("10000 hosts in 3 CPU classes") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("3334 hosts: fleet#1, fleet#4, ") != std::string::npos, text.out);
  BOOST_TEST(text.out.find(", +3326 more (-o json lists all)") != std::string::npos, text.out);
  std::filesystem::remove_all(dir);
}

// A generated fleet of 10,000 facts files in 20 known CPU classes, as `preflight
// collect` writes them (the golden Cascade Lake facts renamed, with some CPUID leaf 7
// EBX feature bits cleared): host i is in class k = i % 20, and class k clears the
// features whose bit in k's binary digits is 1. So what a pair lacks is known without
// preflight: FROM -> TO lacks the features TO clears and FROM does not. Correctness
// only (bench/fleet times it).
namespace {

// Leaf 7 EBX bits the golden facts set, each one cpu_map feature no erratum drops.
constexpr unsigned kClearable[] = {0, 3, 5, 7, 8, 9, 10, 14, 16};
const char* const kClearableNames[] = {"fsgsbase", "bmi1", "avx2",    "smep",   "bmi2",
                                       "erms",     "invpcid", "mpx", "avx512f"};
constexpr size_t kHosts = 10000, kClasses = 20;
constexpr size_t kCleared = 5;  // the bits classes 0..19 clear

// Writes hosts 0..n-1 (host i in class i % classes) and their inventory into `dir`;
// returns the inventory's path.
std::string write_fleet(const std::filesystem::path& dir, size_t n, size_t classes);

std::string host_name(size_t i) {
  char name[16];
  std::snprintf(name, sizeof name, "h%05zu", i);
  return name;
}

// The golden facts with host `name` whose leaf 7 EBX lacks class k's bits.
std::string fleet_facts(const std::string& golden, size_t k, const std::string& name) {
  const std::string row = "      - [0x00000007, 0x0, 0x00000000, 0x";
  const size_t at = golden.find(row);
  BOOST_REQUIRE(at != std::string::npos);
  uint32_t ebx = std::stoul(golden.substr(at + row.size(), 8), nullptr, 16);
  for (size_t j = 0; j < std::size(kClearable); ++j)
    if (k >> j & 1) ebx &= ~(uint32_t{1} << kClearable[j]);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", ebx);
  std::string out = golden;
  out.replace(at + row.size(), 8, hex);
  const std::string named = "\n  name: hostA\n";
  const size_t n = out.find(named);
  BOOST_REQUIRE(n != std::string::npos);
  return out.replace(n, named.size(), "\n  name: " + name + "\n");
}

std::string write_fleet(const std::filesystem::path& dir, size_t n, size_t classes) {
  std::filesystem::create_directories(dir);
  std::string golden;
  {
    std::ifstream in(fixture("golden/facts_full.yaml"));
    golden.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string inventory = (dir / "inventory.yaml").string();
  std::ofstream inv(inventory);
  inv << "hosts:\n";
  for (size_t i = 0; i < n; ++i) {
    const std::string name = host_name(i);
    std::ofstream(dir / (name + ".yaml")) << fleet_facts(golden, i % classes, name);
    inv << "  " << name << ": {facts: " << name << ".yaml}\n";
  }
  return inventory;
}

std::set<std::string> feature_names(const json& list) {
  std::set<std::string> out;
  for (const auto& f : list) out.insert(f.is_string() ? f.get<std::string>() : f["feature"].get<std::string>());
  return out;
}

// The features class `to` clears and class `from` does not.
std::set<std::string> expected_missing(size_t from, size_t to) {
  std::set<std::string> out;
  for (size_t j = 0; j < std::size(kClearable); ++j)
    if ((to >> j & 1) && !(from >> j & 1)) out.insert(kClearableNames[j]);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_fleet_of_10000_facts_files_in_20_known_classes) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-factsfleet-" + std::to_string(::getpid()));
  const std::string inventory = write_fleet(dir, kHosts, kClasses);
  const auto r = run_preflight({"--inventory", inventory, "matrix", "-o", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);  // class 0 -> class 1 lacks fsgsbase
  const json j = json::parse(r.out);

  // The classes, in order of their first host, each with its 500 hosts.
  BOOST_TEST_REQUIRE(j["classes"].size() == kClasses);
  BOOST_TEST(j["hosts"].size() == kHosts);
  for (size_t k = 0; k < kClasses; ++k) {
    const json& hosts = j["classes"][k]["hosts"];
    BOOST_TEST_REQUIRE(hosts.size() == kHosts / kClasses, k);
    for (size_t n = 0; n < hosts.size(); ++n) BOOST_TEST(hosts[n] == host_name(k + n * kClasses), k << " " << n);
    BOOST_TEST(j["classes"][k]["label"] == "C" + std::to_string(k + 1));
  }
  for (size_t i = 0; i < kHosts; i += 997) BOOST_TEST(j["hosts"][i]["class"] == i % kClasses + 1, i);

  // Every pair of classes lacks what the generator cleared, no more, no less.
  BOOST_TEST_REQUIRE(j["pairs"].size() == kClasses * (kClasses - 1));
  for (const json& p : j["pairs"]) {
    const size_t from = p["from_class"].get<size_t>() - 1, to = p["to_class"].get<size_t>() - 1;
    const std::set<std::string> want = expected_missing(from, to);
    BOOST_TEST(feature_names(p["missing"]) == want, from << " -> " << to);
    BOOST_TEST(p["status"] == (want.empty() ? "ok" : "missing"), from << " -> " << to);
    const json& d = j["classes"][from]["destinations"];
    BOOST_TEST(d["ok"].get<size_t>() + d["missing"].get<size_t>() == kClasses - 1);
  }

  // Sampled pairs of hosts: what `compare` says TO lacks is what the matrix says.
  for (const auto& [a, b] : std::vector<std::pair<size_t, size_t>>{{0, 1}, {20, 7031}, {9998, 4441}, {12, 19}, {3, 3}}) {
    const auto c = run_preflight({"--inventory", inventory, "compare", host_name(a), host_name(b), "-o", "json"});
    const std::set<std::string> compared = feature_names(json::parse(c.out)["missing_on_b"]);
    BOOST_TEST(compared == expected_missing(a % kClasses, b % kClasses), a << " -> " << b);
  }

  // The vendor baseline: every class gives up the features some other class clears.
  BOOST_TEST_REQUIRE(j["baselines"].size() == 1u);
  BOOST_TEST(j["baselines"][0]["hosts"].size() == kHosts);
  for (size_t k = 0; k < kClasses; ++k) {
    const size_t has = kCleared - static_cast<size_t>(std::popcount(k));  // of the cleared ones
    BOOST_TEST(j["classes"][k]["baseline"]["gives_up"] == has, k);
  }
  // `baseline` of one host per class agrees: none of the clearable features is left.
  std::vector<std::string> args = {"--inventory", inventory, "baseline", "-o", "json"};
  for (size_t k = 0; k < kClasses; ++k) args.push_back(host_name(k));
  const auto b = run_preflight(args);
  BOOST_TEST_REQUIRE(b.exit_code == 0, b.err);
  const json base = json::parse(b.out);
  const std::set<std::string> features = feature_names(base["features"]);
  for (size_t f = 0; f < kCleared; ++f) BOOST_TEST(features.count(kClearableNames[f]) == 0u, kClearableNames[f]);
  // The same baseline, but the matrix counts libvirt's migratable features only
  // (cpu_map marks xsaves and invtsc migratable='no').
  const size_t unmigratable = features.count("xsaves") + features.count("invtsc");
  BOOST_TEST(base["features"].size() == j["baselines"][0]["feature_count"].get<size_t>() + unmigratable);
  std::filesystem::remove_all(dir);
}

// More classes than a grid or a JSON list of pairs can hold: 400 distinct CPUs. The
// text shows no grid and the first 100 classes, JSON no pairs but each class's
// destinations, counted over every pair: class k's guests can move to the classes
// that clear only bits k clears too (2^popcount(k) - 1 of them), no others.
BOOST_AUTO_TEST_CASE(four_hundred_distinct_cpus_are_counted_not_listed) {
  constexpr size_t n = 400;
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-distinct-" + std::to_string(::getpid()));
  const std::string inventory = write_fleet(dir, n, n);
  const auto r = run_preflight({"--inventory", inventory, "matrix", "-o", "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST_REQUIRE(j["classes"].size() == n);
  BOOST_TEST(!j.contains("pairs"));
  BOOST_TEST(j["pairs_omitted"]["count"] == n * (n - 1));
  for (size_t k = 0; k < n; ++k) {
    const json& d = j["classes"][k]["destinations"];
    const size_t ok = (size_t{1} << std::popcount(k)) - 1;
    BOOST_TEST(d["ok"] == ok, k);
    BOOST_TEST(d["missing"] == n - 1 - ok, k);
    BOOST_TEST(d["unknown"] == 0, k);
    BOOST_TEST(d["vendor"] == 0, k);
  }
  const auto text = run_preflight({"--inventory", inventory, "matrix"});
  BOOST_TEST(text.exit_code == 1, text.err);
  BOOST_TEST(text.out.find("FROM \\ TO") == std::string::npos, text.out);
  BOOST_TEST(text.out.find("159600 ordered pairs of classes: ") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("  +300 more classes (-o json lists all)\n") != std::string::npos, text.out);
  // Class 7 clears three bits: its guests can move to the 7 classes within them.
  const size_t at = text.out.find("\n  h00007  Intel ");
  BOOST_TEST_REQUIRE(at != std::string::npos, text.out);
  const std::string line = text.out.substr(at + 1, text.out.find('\n', at + 1) - at - 1);
  BOOST_TEST(line.ends_with("  ok to 7, lacks features on 392"), line);
  BOOST_TEST(text.out.find("  h00100 ") == std::string::npos, text.out);
  std::filesystem::remove_all(dir);
}
