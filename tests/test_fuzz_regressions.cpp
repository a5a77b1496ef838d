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
BOOST_AUTO_TEST_CASE(a_yaml_stream_where_no_document_can_start_is_refused) {
  const std::string found = fixture("policy-leading-comma-timeout");  // "\0,g\0..."
  BOOST_TEST(error_of([&] { parse_policy(found, "p.yaml", nullptr); }) ==
             "p.yaml:1:1: malformed YAML: unexpected byte 0x00; fix the policy file");
  BOOST_TEST(error_of([] { parse_policy(",", "p.yaml", nullptr); }) ==
             "p.yaml:1:1: malformed YAML: unexpected ','; fix the policy file");
  BOOST_TEST(error_of([] { parse_policy("\n,\n", "p.yaml", nullptr); }) ==
             "p.yaml:2:1: malformed YAML: unexpected ','; fix the policy file");
  // Every YAML reader goes through the same loader.
  for (const std::string& text : {std::string(","), found}) {
    BOOST_TEST(error_of([&] { facts_from_yaml(text, "f.yaml"); }).rfind("f.yaml:1:1: malformed YAML: unexpected ", 0) == 0);
    BOOST_TEST(error_of([&] { inventory_from_yaml_cpp(text, "/i.yaml"); }).rfind("/i.yaml:1:1: malformed YAML: unexpected ", 0) ==
               0);
    RuleCatalog catalog;
    BOOST_TEST(error_of([&] { parse_rule_file(text, "r.yaml", catalog); }).rfind("r.yaml:1:1: malformed YAML: unexpected ", 0) ==
               0);
  }
  // After a first document, yaml-cpp reads the ',' as the start of a second one.
  BOOST_TEST(error_of([] { parse_policy("- a\n,\n", "p.yaml", nullptr); }) ==
             "p.yaml:2:1: a second YAML document; the file holds one; fix the policy file");
  BOOST_TEST(error_of([] { facts_from_yaml("schema_version: 1\nhost: {}\n---\n,\n", "f.yaml"); })
                 .rfind("f.yaml:4:1: a second YAML document; a facts file holds one", 0) == 0);
}
