#pragma once
// Boost.Test precondition for suites that need the two-host lab: the test is
// skipped, with the reason, where root, namespaces or QEMU are missing.
// Include from test files only (after <boost/test/unit_test.hpp>).
#include <optional>
#include <string>

#include "support/lab.hpp"

namespace preflight::test {

struct LabAvailable {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    static const std::optional<std::string> reason = Lab::unavailable_reason();
    if (!reason) return true;
    boost::test_tools::assertion_result result(false);
    result.message() << "skipped: " << *reason;
    return result;
  }
};

}  // namespace preflight::test
