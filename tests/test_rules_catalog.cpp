// The rule catalog as data: every requirement has its rule, every file loads,
// malformed files are named by file:line; the policy file; helpers.
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/error.hpp"
#include "rules/cpuset.hpp"
#include "core/text.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"

using namespace preflight;

namespace {

// The rule ids of docs/requirements.md.
const std::vector<std::string> kRequiredIds = {
    "cpu.vendor",         "cpu.features",        "cpu.firmware",        "cpu.passthrough",   "storage.shared",
    "storage.lun-visible", "storage.shareable",  "storage.host-media",  "storage.media-visible",
    "storage.space",      "storage.cache-mode",  "network.present",     "network.uplink",
    "network.migration-link", "network.same-segment", "devices.host-ports", "devices.hostdev",
    "placement.affinity", "resources.memory",    "resources.cpu",       "host.distinct",     "host.pool",
    "hypervisor.compat",  "migrate.concurrency"};

const char* kGoodRule = R"(rules:
  - id: x.one
    title: One
    requirements: [R01]
    severity: block
    check: hostdev
    message: "m {devices}"
    remediation: "r"
    reference: "seed"
)";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

using preflight::test::error_of;

}  // namespace

BOOST_AUTO_TEST_CASE(every_requirement_has_a_rule_and_every_file_loads) {
  const RuleCatalog c = load_rule_catalog(default_rules_dir());
  for (const auto& id : kRequiredIds) BOOST_TEST_CHECK(c.find(id) != nullptr, "rule " << id << " missing");
  for (const auto& r : c.rules) {
    BOOST_TEST(!r.requirements.empty());
    BOOST_TEST(!r.remediation.empty());
    BOOST_TEST(r.messages.count("fired") == 1);
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(default_rules_dir())) {
    if (e.path().extension() != ".yaml") continue;
    ++files;
    RuleCatalog one;
    BOOST_CHECK_NO_THROW(parse_rule_file(read_file(e.path()),
                                         e.path().string(), one));
    BOOST_TEST(!one.rules.empty());
    // A rule lives in the file named by its id's prefix: network.uplink in network.yaml.
    for (const Rule& r : one.rules)
      BOOST_TEST(r.id.rfind(e.path().stem().string() + ".", 0) == 0, r.id << " in " << e.path().filename());
  }
  BOOST_TEST(files >= 9u);
}

BOOST_AUTO_TEST_CASE(a_good_rule_parses_with_its_fields) {
  RuleCatalog c;
  parse_rule_file(kGoodRule, "t.yaml", c);
  BOOST_REQUIRE_EQUAL(c.rules.size(), 1u);
  BOOST_TEST(c.rules[0].id == "x.one");
  BOOST_TEST(c.rules[0].check == "hostdev");
  BOOST_TEST(c.rules[0].line == 2);
  BOOST_TEST(to_string(c.rules[0].severity) == "block");
}

BOOST_AUTO_TEST_CASE(malformed_rule_files_name_file_and_line) {
  RuleCatalog c;
  BOOST_TEST(error_of([&] { parse_rule_file("rules:\n  - id: [x\n", "bad.yaml", c); }).rfind("bad.yaml:", 0) == 0);
  std::string unknown_check = kGoodRule;
  unknown_check.replace(unknown_check.find("check: hostdev"), 14, "check: hostdevs");
  BOOST_TEST(error_of([&] { parse_rule_file(unknown_check, "u.yaml", c); }) ==
             "u.yaml:6: unknown check 'hostdevs' (did you mean 'hostdev'?)");
  std::string missing = kGoodRule;
  missing.erase(missing.find("    remediation"), std::string("    remediation: \"r\"\n").size());
  BOOST_TEST(error_of([&] { parse_rule_file(missing, "m.yaml", c); }).rfind("m.yaml:2: rule has no 'remediation'", 0) == 0);
  std::string bad_sev = kGoodRule;
  bad_sev.replace(bad_sev.find("severity: block"), 15, "severity: fatal");
  BOOST_TEST(error_of([&] { parse_rule_file(bad_sev, "s.yaml", c); }).rfind("s.yaml:5: unknown severity 'fatal'", 0) == 0);
  RuleCatalog twice;
  parse_rule_file(kGoodRule, "a.yaml", twice);
  BOOST_TEST(error_of([&] { parse_rule_file(kGoodRule, "b.yaml", twice); }) ==
             "b.yaml:2: duplicate rule id 'x.one' (first in a.yaml:2)");
}

BOOST_AUTO_TEST_CASE(templates_fill_from_evidence) {
  const nlohmann::json v = {{"a", "x"}, {"n", 3}, {"list", {"p", "q"}}};
  BOOST_TEST(fill_template("{a} {n} [{list}] {missing}", v) == "x 3 [p, q] {missing}");
}

BOOST_AUTO_TEST_CASE(did_you_mean_finds_close_names_only) {
  BOOST_TEST(did_you_mean("storage.shard", {"storage.shared", "network.present"}) ==
             " (did you mean 'storage.shared'?)");
  BOOST_TEST(did_you_mean("HOSTB", {"hostA", "hostB"}) == " (did you mean 'hostB'?)");
  BOOST_TEST(did_you_mean("zzz", {"storage.shared"}).empty());
}

BOOST_AUTO_TEST_CASE(cpusets_parse_ranges_and_exclusions) {
  BOOST_TEST((parse_cpuset("0-3,^2,8") == std::set<unsigned>{0, 1, 3, 8}));
  BOOST_TEST(parse_cpuset("").empty());
  BOOST_CHECK_THROW(parse_cpuset("1-x"), Error);
  BOOST_CHECK_THROW(parse_cpuset("5-2"), Error);
}

BOOST_AUTO_TEST_CASE(policy_reads_waivers_and_settings) {
  const RuleCatalog c = load_rule_catalog(default_rules_dir());
  const Policy p = parse_policy(R"(waivers:
  - rule: network.uplink
    reason: "intranet VM"
    vm: vm1
    expires: 2026-12-31
cpu_overcommit: 2
memory_overhead_mib: 512
allow_storage_copy: false
require_same_pool: true
severity:
  storage.cache-mode: block
)",
                                "p.yaml", &c);
  BOOST_REQUIRE_EQUAL(p.waivers.size(), 1u);
  BOOST_TEST(p.waivers[0].line == 2);
  BOOST_TEST(format_date(*p.waivers[0].expires) == "2026-12-31");
  BOOST_TEST(*p.cpu_overcommit == 2.0);
  BOOST_TEST(*p.memory_overhead_mib == 512.0);
  BOOST_TEST(!p.allow_storage_copy);
  BOOST_TEST(p.require_same_pool);
  BOOST_TEST((p.severity.at("storage.cache-mode") == Severity::block));
}

BOOST_AUTO_TEST_CASE(policy_errors_name_file_and_line) {
  const RuleCatalog c = load_rule_catalog(default_rules_dir());
  BOOST_TEST(error_of([&] { parse_policy("waivers:\n  - rule: network.uplink\n", "p.yaml", &c); }) ==
             "p.yaml:2: waiver of 'network.uplink' has no 'reason'; a waiver needs a written reason; it is shown in every report");
  BOOST_TEST(error_of([&] { parse_policy("waivers:\n  - rule: network.uplnk\n    reason: x\n", "p.yaml", &c); })
                 .rfind("p.yaml:2: unknown rule 'network.uplnk' (did you mean 'network.uplink'?)", 0) == 0);
  BOOST_TEST(error_of([&] { parse_policy("waivers:\n  - rule: host.pool\n    reason: x\n    expires: 2026-02-30\n", "p.yaml", &c); })
                 .rfind("p.yaml:4: expires '2026-02-30' is not a date", 0) == 0);
  BOOST_TEST(error_of([&] { parse_policy("cpu_overcommt: 2\n", "p.yaml", &c); })
                 .rfind("p.yaml:1: unknown policy key 'cpu_overcommt' (did you mean 'cpu_overcommit'?)", 0) == 0);
  BOOST_TEST(error_of([&] { parse_policy("allow_storage_copy: maybe\n", "p.yaml", &c); }).rfind("p.yaml:1:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(waiver_scope_and_expiry) {
  using namespace std::chrono;
  Waiver w;
  w.rule = "network.uplink";
  w.reason = "r";
  w.vm = "vm1";
  w.host = "hostB";
  w.expires = year_month_day{year{2026}, month{6}, day{30}};
  const year_month_day before{year{2026}, month{6}, day{30}}, after{year{2026}, month{7}, day{1}};
  BOOST_TEST(w.applies("network.uplink", "vm1", "hostA", "hostB", before));
  BOOST_TEST(!w.applies("network.uplink", "vm1", "hostA", "hostB", after));
  BOOST_TEST(!w.applies("network.uplink", "vm2", "hostA", "hostB", before));
  BOOST_TEST(!w.applies("network.uplink", "vm1", "hostA", "hostC", before));
  BOOST_TEST(!w.applies("network.present", "vm1", "hostA", "hostB", before));
}
