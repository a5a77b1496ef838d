// Bad input on the command line: each case is exit 2 and one message that names the
// file or URI and what to do. Never a crash, never a partial result.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "support/run_process.hpp"

using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;

namespace {

// No inventory is found by default: an empty config home and a folder without preflight.yaml.
const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent-preflight-config", "NO_COLOR=1"};

ProcessResult run(const std::vector<std::string>& args) { return run_preflight(args, kEnv); }

void expect_undecided(const ProcessResult& r, const std::string& message_start) {
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.empty(), "nothing on stdout, got: " << r.out);
  BOOST_TEST(r.err.rfind("preflight: " + message_start, 0) == 0, "stderr: " << r.err);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, "one line: " << r.err);
}

}  // namespace

BOOST_AUTO_TEST_CASE(missing_file) {
  expect_undecided(run({"collect", "/nonexistent/host.yaml"}),
                   "/nonexistent/host.yaml: no such file, and no inventory to look the name up in; give a file path");
}

BOOST_AUTO_TEST_CASE(malformed_facts_yaml_names_line_and_column) {
  const std::string f = fixture("bad/malformed-facts.yaml");
  expect_undecided(run({"collect", f}), f + ":5:1: ");
}

BOOST_AUTO_TEST_CASE(unknown_schema_version) {
  const std::string f = fixture("bad/future-schema.yaml");
  const ProcessResult r = run({"collect", f});
  expect_undecided(r, f);
  BOOST_TEST(r.err.find("schema_version 99") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(malformed_capabilities_xml_names_line_and_column) {
  const std::string f = fixture("bad/malformed-capabilities.xml");
  expect_undecided(run({"collect", f}), f + ":6:3: malformed XML: ");
}

BOOST_AUTO_TEST_CASE(malformed_cpu_xml_names_line_and_column) {
  const std::string f = fixture("bad/malformed-cpu.xml");
  expect_undecided(run({"collect", f}), f + ":4:");
}

BOOST_AUTO_TEST_CASE(unrecognised_files) {
  const std::string notes = fixture("bad/notes.txt");
  expect_undecided(run({"collect", notes}), notes + ": not a file preflight can read; give a facts YAML");
  const std::string page = fixture("bad/page.html");
  expect_undecided(run({"collect", page}),
                   page + ": XML with root element <html> is not a host or CPU description; give a facts YAML");
}

BOOST_AUTO_TEST_CASE(unreachable_libvirt_uri) {
  expect_undecided(run({"collect", "--libvirt", "test:///nonexistent/host.xml"}), "test:///nonexistent/host.xml: ");
}

BOOST_AUTO_TEST_CASE(missing_inventory) {
  expect_undecided(run({"collect", "--inventory", "/nonexistent/inv.yaml", "--all", "-w", "/tmp/x"}),
                   "/nonexistent/inv.yaml: cannot read: No such file or directory; give an existing inventory file "
                   "with --inventory");
}

BOOST_AUTO_TEST_CASE(malformed_inventory) {
  const std::string f = fixture("inventory/malformed.yaml");
  expect_undecided(run({"collect", "--inventory", f, "--all", "-w", "/tmp/x"}), f + ":4:");
}

BOOST_AUTO_TEST_CASE(unknown_inventory_host_suggests_a_name) {
  const std::string inv = fixture("lab/preflight.yaml");
  const ProcessResult r = run({"collect", "--inventory", inv, "hostX"});
  expect_undecided(r, "hostX: no such host in " + inv);
  BOOST_TEST(r.err.find("known hosts: hostA, hostB, hostC") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(usage_error_is_exit_2) {
  const ProcessResult r = run({"collect", "--no-such-option"});
  BOOST_TEST(r.exit_code == 2);
}

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(path) << text;
  return path.string();
}

const std::string kHaswell =
    "<cpu>\n  <arch>x86_64</arch>\n  <model>Haswell</model>\n  <vendor>Intel</vendor>\n  <feature name='aes'/>\n</cpu>\n";
const std::string kSkylake =
    "<cpu>\n  <arch>x86_64</arch>\n  <model>Skylake-Client</model>\n  <vendor>Intel</vendor>\n  <feature name='vmx'/>\n"
    "</cpu>\n";
}  // namespace

BOOST_AUTO_TEST_CASE(a_cpu_file_names_the_cpu_that_is_wrong) {
  const std::string dup = write_temp("preflight-dup", kHaswell + kSkylake +
                                                          "<cpu><model>Haswell</model><feature name='aes'/>"
                                                          "<feature name='aes'/></cpu>\n");
  expect_undecided(run({"baseline", dup}), dup + "#3: CPU feature 'aes' specified more than once; ");
  const std::string typo = write_temp("preflight-typo", kHaswell + "<cpu><model>Haswell</model><feature name='avx512'/></cpu>");
  const ProcessResult r = run({"baseline", typo});
  expect_undecided(r, typo + "#2: unknown CPU feature 'avx512' (did you mean '");
  std::filesystem::remove(dup);
  std::filesystem::remove(typo);
}

BOOST_AUTO_TEST_CASE(a_cpu_file_reads_the_same_however_it_is_laid_out) {
  // A declaration, a comment that holds "</cpu>", CPUs on one line: the same baseline.
  const std::string plain = write_temp("preflight-plain", kHaswell + kSkylake);
  const std::string odd = write_temp("preflight-odd", "<?xml version='1.0'?>\n<!-- was <cpu>..</cpu> -->\n" + kHaswell +
                                                          "<!-- </cpu> -->" + kSkylake);
  const ProcessResult a = run({"baseline", "--features", plain});
  const ProcessResult b = run({"baseline", "--features", odd});
  BOOST_TEST(a.exit_code == 0, a.err);
  BOOST_TEST(b.exit_code == 0, b.err);
  BOOST_TEST(a.out == b.out);
  BOOST_TEST(a.out.find("<model fallback='allow'>Haswell</model>") != std::string::npos, a.out);
  for (const auto& f : {plain, odd}) std::filesystem::remove(f);
}

// Thousands of CPUs are read in two halves at once (cpu/cpu_file.cpp): the answer and
// the first error must be those of one pass in file order.
BOOST_AUTO_TEST_CASE(a_big_cpu_file_gives_the_first_error_and_the_same_answer_as_a_small_one) {
  const std::string bad = "<cpu><model>Haswell</model><feature name='avx512'/></cpu>\n";
  std::string both, late, plain, odd;
  for (int i = 1; i <= 1000; ++i) {
    both += i == 300 || i == 700 ? bad : kHaswell;
    late += i == 700 ? bad : kHaswell;
    plain += i % 2 ? kHaswell : kSkylake;
    odd += (i == 900 ? "<!-- </cpu> -->" : "") + (i % 2 ? kHaswell : kSkylake);
  }
  const std::string f_both = write_temp("preflight-both", both);
  const std::string f_late = write_temp("preflight-late", late);
  expect_undecided(run({"baseline", f_both}), f_both + "#300: unknown CPU feature 'avx512'");
  expect_undecided(run({"baseline", f_late}), f_late + "#700: unknown CPU feature 'avx512'");
  const std::string f_plain = write_temp("preflight-plain-big", plain);
  const std::string f_odd = write_temp("preflight-odd-big", odd);
  const std::string f_two = write_temp("preflight-two", kHaswell + kSkylake);
  const ProcessResult a = run({"baseline", "-o", "json", "--features", f_plain});
  const ProcessResult b = run({"baseline", "-o", "json", "--features", f_odd});
  const ProcessResult c = run({"baseline", "--features", f_two});
  const ProcessResult d = run({"baseline", "--features", f_plain});
  BOOST_TEST(a.exit_code == 0, a.err);
  BOOST_TEST(b.exit_code == 0, b.err);
  BOOST_TEST(a.out.find(f_plain + "#1000") != std::string::npos, "every CPU is named");
  // The same CPUs: the same hosts in the same order (named after their own file).
  std::string b_renamed = b.out;
  for (size_t at; (at = b_renamed.find(f_odd)) != std::string::npos;) b_renamed.replace(at, f_odd.size(), f_plain);
  BOOST_TEST(a.out == b_renamed);
  BOOST_TEST(c.exit_code == 0, c.err);
  BOOST_TEST(c.out == d.out, "two CPUs and 1,000 copies of them have one baseline");
  for (const auto& f : {f_both, f_late, f_plain, f_odd, f_two}) std::filesystem::remove(f);
}

// The grammar around the commands: typos get a suggestion, help and version work
// as words too, a bare `preflight` teaches, PREFLIGHT_INVENTORY names the inventory.
BOOST_AUTO_TEST_CASE(typos_get_a_suggestion_and_exit_2) {
  expect_undecided(run({"chek", "web1", "hostB"}), "unknown command 'chek' (did you mean 'check'?); the commands: ");
  expect_undecided(run({"rules", "lst"}), "unknown command 'rules lst' (did you mean 'list'?); 'rules' takes: list, explain");
  expect_undecided(run({"--inventroy", "x.yaml", "check", "a", "b"}),
                   "unknown option '--inventroy' (did you mean '--inventory'?)");
  const auto r = run({"--inventory", fixture("lab/preflight.yaml"), "migrate", "web1", "hostB", "--dry-rn"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("--dry-rn (did you mean '--dry-run'?)") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(help_and_version_as_words_and_a_bare_call_prints_the_help) {
  const auto bare = run({});
  BOOST_TEST(bare.exit_code == 0);
  BOOST_TEST(bare.out.find("Usage: preflight [OPTIONS] SUBCOMMAND") != std::string::npos, bare.out);
  const auto help = run({"help", "check"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(help.out.find("Usage: check [OPTIONS] VM DEST") != std::string::npos, help.out);
  for (const char* v : {"version", "-V", "--version"}) {
    const auto r = run({v});
    BOOST_TEST(r.exit_code == 0, v);
    BOOST_TEST(r.out.rfind("preflight 0.", 0) == 0, r.out);
  }
}

BOOST_AUTO_TEST_CASE(preflight_inventory_names_the_inventory) {
  const auto r = run_preflight({"check", "web1", "hostB", "-o", "json"},
                               {"XDG_CONFIG_HOME=/nonexistent", "PREFLIGHT_INVENTORY=" + fixture("lab/preflight.yaml")});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("\"destination\": \"hostB\"") != std::string::npos, r.out);
}
