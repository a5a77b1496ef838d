// Inputs the libFuzzer harnesses of fuzz/ found (fixtures/fuzz/, each file as the
// fuzzer saved it), through every reader of their kind: each is refused with an
// Error naming the file, where it once crashed, hung or exhausted memory.
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "facts/facts_yaml.hpp"
#include "inventory/inventory.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"
#include "support/error_of.hpp"

using namespace preflight;
using preflight::test::error_of;

namespace {

std::string fixture(const std::string& name) { return read_file(std::string(PREFLIGHT_FIXTURES) + "/fuzz/" + name); }

}  // namespace

// yaml-cpp 0.7's LoadAll never returned on a stream where no document can start (a
// leading ','): it appended empty documents until memory ran out. Found by
// fuzz_policy within seconds; every YAML reader went through LoadAll.
BOOST_AUTO_TEST_CASE(a_yaml_stream_that_starts_with_a_comma_is_refused) {
  const std::string found = fixture("policy-leading-comma-timeout");
  BOOST_TEST(error_of([&] { parse_policy(found, "p.yaml", nullptr); }).rfind("p.yaml:1:2: malformed YAML: unexpected ','", 0) == 0,
             error_of([&] { parse_policy(found, "p.yaml", nullptr); }));
  for (const std::string text : {std::string(","), std::string("\n,\n"), std::string("- a\n,\n"), found}) {
    BOOST_TEST(error_of([&] { parse_policy(text, "p.yaml", nullptr); }).find(": malformed YAML: unexpected ','") !=
                   std::string::npos,
               text);
    BOOST_TEST(error_of([&] { facts_from_yaml(text, "f.yaml"); }).find(": malformed YAML: unexpected ','") !=
                   std::string::npos,
               text);
    BOOST_TEST(error_of([&] { inventory_from_yaml_cpp(text, "/i.yaml"); }).find(": malformed YAML: unexpected ','") !=
                   std::string::npos,
               text);
    RuleCatalog catalog;
    BOOST_TEST(error_of([&] { parse_rule_file(text, "r.yaml", catalog); }).find(": malformed YAML: unexpected ','") !=
                   std::string::npos,
               text);
  }
  BOOST_TEST(error_of([] { parse_policy(",", "p.yaml", nullptr); }).rfind("p.yaml:1:1: malformed YAML: unexpected ','; ", 0) == 0,
             error_of([] { parse_policy(",", "p.yaml", nullptr); }));
  // A second document is still named as one, also when a ',' follows it.
  BOOST_TEST(error_of([] { facts_from_yaml("schema_version: 1\nhost: {}\n---\n,\n", "f.yaml"); })
                 .rfind("f.yaml:4:1: a second YAML document; a facts file holds one", 0) == 0);
}
