#pragma once
// One check, three outputs: asserts that `preflight ARGS -o json|text|junit`
// tell the same story about `rule` (its status, message and remediation), so
// every fixture pair is proven in every output format.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace preflight::test {

// `args` is a whole `check` command line without -o; `env` as run_preflight.
// Asserts (Boost.Test) that the rule's status is `status` in JSON, that the text
// table's row shows the same status, message and (for block/warn) the "fix:"
// remediation, and that the JUnit test case of the rule fails exactly for
// block/error and is skipped exactly for skip. Returns the JSON output.
std::string expect_rule_in_every_format(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                        const std::string& rule, const std::string& status);

// The result of `rule` in a JSON verdict; the test stops (BOOST_TEST_REQUIRE) when
// the verdict has none, so an assertion on it cannot pass by the rule's absence.
nlohmann::json finding(const nlohmann::json& verdict, const std::string& rule);

}  // namespace preflight::test
