// End to end: `preflight check FILE.xml DEST`, a VM defined on no host yet (about to
// be deployed or restored), on the demo lab: go and no-go, rules that need a source
// host skip saying why, CPU rules judge the guest CPU against the destination's
// offer, and bad input is undecided (exit 2) naming the file.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::fixture;
using preflight::test::run_preflight;
using preflight::test::run_process;

namespace {

std::vector<std::string> check(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "check"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

const nlohmann::json& result(const nlohmann::json& verdict, const std::string& rule) {
  for (const auto& r : verdict["results"])
    if (r["rule"] == rule) return r;
  static const nlohmann::json absent = {{"status", "(absent)"}, {"message", ""}};
  return absent;
}

}  // namespace

// web1's definition, restored on hostB: every rule answers; the ones comparing a
// source host skip with the reason; the ones about the destination decide.
BOOST_AUTO_TEST_CASE(a_domain_xml_that_fits_the_destination_is_go_and_source_rules_skip_saying_why) {
  const auto r = run_preflight(check({fixture("lab/new/web1.xml"), "hostB", "-o", "json"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["verdict"] == "go");
  BOOST_TEST(j["vm"] == "web1");
  BOOST_TEST(j["source"].is_null());
  BOOST_TEST(j["destination"] == "hostB");
  BOOST_TEST(!j.contains("estimate"));  // nothing migrates
  const auto rules = nlohmann::json::parse(run_preflight({"rules", "list", "-o", "json"}).out);
  BOOST_TEST(j["results"].size() == rules["rules"].size());
  for (const char* rule : {"cpu.vendor", "cpu.firmware", "cpu.passthrough", "host.distinct", "host.pool",
                           "network.migration-link", "network.same-segment", "storage.space", "storage.cache-mode",
                           "migrate.concurrency"}) {
    BOOST_TEST(result(j, rule)["status"] == "skip", rule);
    BOOST_TEST(result(j, rule)["message"].get<std::string>().starts_with("no source host (web1 is defined on no host yet): "),
               rule);
  }
  BOOST_TEST(result(j, "cpu.features")["status"] == "pass");
  BOOST_TEST(result(j, "storage.shared")["status"] == "pass");  // web1.qcow2 is a volume of hostB's pool prod
  BOOST_TEST(result(j, "network.present")["status"] == "pass");
  BOOST_TEST(result(j, "resources.memory")["status"] == "pass");

  const auto text = run_preflight(check({fixture("lab/new/web1.xml"), "hostB"}));
  BOOST_TEST(text.exit_code == 0);
  BOOST_TEST(text.out.starts_with("preflight check: web1 (defined on no host yet) on hostB: GO\n"), text.out);
  pugi::xml_document junit;
  BOOST_TEST_REQUIRE(junit.load_string(run_preflight(check({fixture("lab/new/web1.xml"), "hostB", "-o", "junit"})).out.c_str()));
  BOOST_TEST(junit.child("testsuites").attribute("failures").as_int() == 0);
}

// db2 names Skylake-Server: hostB (Haswell) lacks AVX-512 and more, hostA (Cascade
// Lake) has them. Its disk is in no pool of either host.
BOOST_AUTO_TEST_CASE(the_guest_cpu_is_judged_against_the_destinations_offer_and_missing_disks_block) {
  const auto b = run_preflight(check({fixture("lab/new/db2.xml"), "hostB", "-o", "json"}));
  BOOST_TEST(b.exit_code == 1, b.err);
  const auto jb = nlohmann::json::parse(b.out);
  BOOST_TEST(jb["verdict"] == "no-go");
  const auto& cpu = result(jb, "cpu.features");
  BOOST_TEST(cpu["status"] == "block");
  std::set<std::string> missing;
  for (const auto& m : cpu["evidence"]["missing_features"]) missing.insert(m["feature"].get<std::string>());
  BOOST_TEST(missing.count("avx512f") == 1u);
  BOOST_TEST(cpu["message"].get<std::string>().starts_with("db2 asks for CPU features that hostB does not offer kvm guests"));
  // The fix names a CPU of hostB alone, not a mask with a source host.
  BOOST_TEST(cpu["remediation"].get<std::string>().find("Give db2 a CPU hostB offers -- Haswell") != std::string::npos,
             cpu["remediation"]);
  const auto& disks = result(jb, "storage.shared");
  BOOST_TEST(disks["status"] == "block");
  BOOST_TEST(disks["message"].get<std::string>().find("/var/lib/libvirt/images/prod/db2.qcow2") != std::string::npos);

  const auto a = run_preflight(check({fixture("lab/new/db2.xml"), "hostA", "-o", "json"}));
  BOOST_TEST(a.exit_code == 1, a.err);
  const auto ja = nlohmann::json::parse(a.out);
  BOOST_TEST(result(ja, "cpu.features")["status"] == "pass");
  BOOST_TEST(result(ja, "storage.shared")["status"] == "block");
}

BOOST_AUTO_TEST_CASE(a_malformed_or_missing_domain_xml_is_undecided_naming_the_file) {
  const preflight::test::TempDir dir("preflight-new-vm");
  const std::string broken = dir.write("broken.xml", "<domain type='kvm'><name>x</name>\n<devices>\n");
  const auto r = run_preflight(check({broken, "hostB"}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err.find(broken + ":") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("malformed XML") != std::string::npos, r.err);

  const std::string not_domain = dir.write("net.xml", "<network><name>n</name></network>\n");
  const auto n = run_preflight(check({not_domain, "hostB", "-o", "json"}));
  BOOST_TEST(n.exit_code == 2);
  BOOST_TEST(nlohmann::json::parse(n.out)["error"]["message"].get<std::string>().find(not_domain) != std::string::npos,
             n.out);

  const auto missing = run_preflight(check({"no-such-vm.xml", "hostB"}));
  BOOST_TEST(missing.exit_code == 2);
  BOOST_TEST(missing.err.find("no-such-vm.xml: no such file") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(standard_input_is_a_domain_xml_and_move_options_are_refused) {
  std::ifstream in(fixture("lab/new/web1.xml"));
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto r = run_process({PREFLIGHT_BINARY, "--inventory", fixture("lab/preflight.yaml"), "check", "-", "hostB"},
                             {}, xml);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.starts_with("preflight check: web1 (defined on no host yet) on hostB: GO"), r.out);
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--from", "hostA"},
                                                std::vector<std::string>{"--mode", "live"},
                                                std::vector<std::string>{"-o", "dot"}}) {
    std::vector<std::string> args = {fixture("lab/new/web1.xml"), "hostB"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto e = run_preflight(check(args));
    BOOST_TEST(e.exit_code == 2, extra.front());
    BOOST_TEST(e.err.find(extra.front()) != std::string::npos, e.err);
    BOOST_TEST(e.err.find("a VM defined on no host yet") != std::string::npos, e.err);
  }
  // An unknown destination is the same error as for a VM on a host.
  const auto d = run_preflight(check({fixture("lab/new/web1.xml"), "hostZ"}));
  BOOST_TEST(d.exit_code == 2);
  BOOST_TEST(d.err.find("unknown host 'hostZ'") != std::string::npos, d.err);
}
