// A fact the rules need that is missing or broken makes the check undecided (exit 2,
// naming the field and the file), never a zero that says go. End to end through the
// binary, on the cpu.firmware fixture, where old1 -> hostB is a clean go.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "facts/facts_yaml_fields.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;
using preflight::test::TempDir;

namespace {

const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent", "NO_COLOR=1"};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The cpu.firmware fixture copied into `dir`, hostA.yaml replaced by `host_a`, and
// `policy_line` (e.g. "policy: p.yaml") appended to the inventory.
std::string inventory_with(const TempDir& dir, const std::string& host_a, const std::string& policy_line = "") {
  const std::string src = fixture("rules/cpu.firmware");
  for (const char* f : {"hostB.yaml", "hostC.yaml", "hostC-cpu.xml"})
    std::filesystem::copy_file(src + "/" + f, dir.path / f, std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir.path / "hostA.yaml") << host_a;
  std::string inv = std::regex_replace(slurp(src + "/preflight.yaml"), std::regex("\\.\\./\\.\\./lab/"),
                                       fixture("lab") + "/");
  std::ofstream(dir.path / "preflight.yaml") << inv << policy_line << "\n";
  return (dir.path / "preflight.yaml").string();
}

ProcessResult check(const std::string& inventory, const std::string& vm) {
  return run_preflight({"--inventory", inventory, "check", vm, "hostB", "--from", "hostA", "-o", "json"}, kEnv);
}

const std::string kHostA = slurp(fixture("rules/cpu.firmware/hostA.yaml"));
const std::string kOld1 = "    - name: old1\n";

// hostA.yaml with old1's memory_kib (4194304) written as `value`.
std::string with_old1_memory(const std::string& value) {
  std::string text = kHostA;
  const std::string line = "memory_kib: 4194304";
  text.replace(text.find(line, text.find(kOld1)), line.size(), "memory_kib: " + value);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_unchanged_fixture_is_a_go) {
  const TempDir dir("preflight-required");
  const auto r = check(inventory_with(dir, kHostA), "old1");
  BOOST_TEST(r.exit_code == 0, r.err);
}

// Each required key of a VM entry, removed from old1: exit 2 naming the key and the
// file; never "go" from a memory size of 0.
BOOST_AUTO_TEST_CASE(a_vm_entry_without_a_required_key_is_refused_naming_key_and_file) {
  BOOST_REQUIRE(preflight::facts_yaml::kRequired<preflight::VmFacts>.size() == 5u);
  for (const std::string key : preflight::facts_yaml::kRequired<preflight::VmFacts>) {
    BOOST_TEST_CONTEXT("without " << key) {
      const TempDir dir("preflight-required");
      std::string text = kHostA;
      const size_t vm = text.find(kOld1);
      BOOST_REQUIRE(vm != std::string::npos);
      if (key == "name") {
        text.replace(vm, kOld1.size(), "    -\n");
      } else {
        const size_t at = text.find("      " + key + ": ", vm);
        BOOST_REQUIRE(at != std::string::npos);
        text.erase(at, text.find('\n', at) + 1 - at);
      }
      // old1 (or, without its name, crypt1 of the same file) cannot be checked.
      const auto r = check(inventory_with(dir, text), key == "name" ? "crypt1" : "old1");
      BOOST_TEST(r.exit_code == 2, r.out);
      BOOST_TEST(r.err.find("no '" + key + "'") != std::string::npos, r.err);
      BOOST_TEST(r.err.find((dir.path / "hostA.yaml").string()) != std::string::npos, r.err);
      BOOST_TEST(r.out.find("\"go\"") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_null_memory_size_and_a_file_cut_inside_a_vm_are_refused) {
  {
    const TempDir dir("preflight-required");
    const auto r = check(inventory_with(dir, with_old1_memory("~")), "old1");
    BOOST_TEST(r.exit_code == 2, r.out);
    BOOST_TEST(r.err.find("memory_kib: expected an unsigned integer") != std::string::npos, r.err);
  }
  {
    const TempDir dir("preflight-required");
    const std::string cut = kHostA.substr(0, kHostA.find("      state: running", kHostA.find(kOld1)));
    const auto r = check(inventory_with(dir, cut), "old1");
    BOOST_TEST(r.exit_code == 2, r.out);
    BOOST_TEST(r.err.find("hostA.yaml") != std::string::npos, r.err);
  }
}

// 2^64-1 KiB plus the per-VM overhead must not wrap around to "255 MiB needed".
BOOST_AUTO_TEST_CASE(a_huge_memory_size_blocks_instead_of_wrapping) {
  const TempDir dir("preflight-required");
  const auto r = check(inventory_with(dir, with_old1_memory("18446744073709551615")), "old1");
  BOOST_TEST(r.exit_code == 1, r.out + r.err);
  BOOST_TEST(r.out.find("\"resources.memory\"") != std::string::npos);
  BOOST_TEST(r.out.find("\"block\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_policy_number_that_is_not_finite_or_a_policy_that_cannot_be_read_is_an_error) {
  for (const std::string value : {"inf", "nan", "1e300", "-5"}) {
    BOOST_TEST_CONTEXT("memory_overhead_mib: " << value) {
      const TempDir dir("preflight-required");
      std::ofstream(dir.path / "p.yaml") << "memory_overhead_mib: " << value << "\n";
      const auto r = check(inventory_with(dir, kHostA, "policy: p.yaml"), "old1");
      BOOST_TEST(r.exit_code == 2, r.out);
      BOOST_TEST(r.err.find("p.yaml:1: memory_overhead_mib must be a number from 0 to") != std::string::npos, r.err);
    }
  }
  const TempDir dir("preflight-required");
  std::filesystem::create_directory(dir.path / "p.yaml");
  const auto r = check(inventory_with(dir, kHostA, "policy: p.yaml"), "old1");
  BOOST_TEST(r.exit_code == 2, r.out);
  BOOST_TEST(r.err.find("p.yaml: is a directory") != std::string::npos, r.err);
}
