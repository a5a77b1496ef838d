// One command-line grammar (issue 12): -o FORMAT in every command, rejected with the
// formats listed when unknown; "schema_version" in every JSON output and a JSON error
// object under -o json; "undecided" as the one word for exit status 2; JUnit that
// agrees with --strict; '-' as standard input; -q and -v; the exit status in every
// command's help. End to end through the binary on the demo lab.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;
using preflight::test::run_process;
using preflight::test::TempDir;

namespace {

const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent-preflight-config", "NO_COLOR=1"};

std::vector<std::string> demo(std::vector<std::string> args) {
  args.insert(args.begin(), {"--inventory", fixture("lab/preflight.yaml")});
  return args;
}

ProcessResult run(const std::vector<std::string>& args) { return run_preflight(args, kEnv); }

// preflight ARGS with `input` on standard input.
ProcessResult run_with_input(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {PREFLIGHT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, kEnv, input);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Command {
  std::vector<std::string> args;     // a command line of the demo lab, without -o
  std::vector<std::string> formats;  // what its -o takes
};

// Every command, once each, with the formats its -o takes.
const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {{"check", "web1", "hostB"}, {"text", "json", "junit", "dot"}},
      {{"compare", "hostA", "hostB"}, {"text", "json"}},
      {{"baseline", "hostA", "hostB"}, {"libvirt", "qemu", "vmware", "json"}},
      {{"mask", "db1", "--hosts", "hostA", "hostB"}, {"text", "json"}},
      {{"matrix"}, {"text", "json", "html"}},
      {{"estimate", "web1", "hostB"}, {"text", "json"}},
      {{"rules", "list"}, {"text", "json"}},
      {{"rules", "explain", "cpu.features"}, {"text", "json"}},
      {{"collect", "hostB"}, {"yaml"}},
      {{"migrate", "web1", "hostB", "--dry-run", "--accept-warnings"}, {"text", "json"}},
  };
  return all;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The cpu.firmware fixture copied into `dir`, with hostB's free memory not known:
// old1 -> hostB (a clean go there) cannot be decided.
std::string inventory_without_free_memory(const TempDir& dir) {
  const std::string src = fixture("rules/cpu.firmware");
  for (const char* f : {"hostA.yaml", "hostC.yaml", "hostC-cpu.xml"})
    std::filesystem::copy_file(src + "/" + f, dir.path / f, std::filesystem::copy_options::overwrite_existing);
  const std::string host_b = slurp(src + "/hostB.yaml");
  const std::string cut = std::regex_replace(host_b, std::regex("    free_kib: [0-9]+\n"), "");
  BOOST_REQUIRE(cut != host_b);
  std::ofstream(dir.path / "hostB.yaml") << cut;
  std::ofstream(dir.path / "preflight.yaml")
      << std::regex_replace(slurp(src + "/preflight.yaml"), std::regex("\\.\\./\\.\\./lab/"), fixture("lab") + "/");
  return (dir.path / "preflight.yaml").string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_command_takes_each_of_its_formats_and_json_has_schema_version_1) {
  for (const Command& c : commands()) {
    for (const std::string& format : c.formats) {
      BOOST_TEST_CONTEXT(join(c.args) << " -o " << format) {
        std::vector<std::string> args = demo(c.args);
        args.insert(args.end(), {"-o", format});
        const ProcessResult r = run(args);
        BOOST_TEST((r.exit_code == 0 || r.exit_code == 1), r.err);
        BOOST_TEST(!r.out.empty());
        if (format != "json") continue;
        nlohmann::json j;
        BOOST_REQUIRE_NO_THROW(j = nlohmann::json::parse(r.out));
        BOOST_TEST(j["schema_version"] == 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_format_is_exit_2_listing_the_formats_of_the_command) {
  for (const Command& c : commands()) {
    BOOST_TEST_CONTEXT(join(c.args)) {
      std::vector<std::string> args = demo(c.args);
      args.insert(args.end(), {"-o", "xml"});
      const ProcessResult r = run(args);
      BOOST_TEST(r.exit_code == 2);
      BOOST_TEST(r.out.empty(), r.out);
      BOOST_TEST(has(r.err, "unknown output format 'xml'"), r.err);
      BOOST_TEST(has(r.err, "this command writes: " + join(c.formats)), r.err);
    }
  }
}

// Migration events are JSON lines: every one carries the version.
BOOST_AUTO_TEST_CASE(json_lines_of_migrate_each_carry_schema_version) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"migrate", "db1", "hostB", "--dry-run", "-o", "json"},
        std::vector<std::string>{"migrate", "--evacuate", "hostA", "--dry-run", "-o", "json"}}) {
    BOOST_TEST_CONTEXT(join(args)) {
      const ProcessResult r = run(demo(args));
      BOOST_TEST((r.exit_code == 0 || r.exit_code == 1), r.err);  // decided (db1 is refused)
      std::istringstream lines(r.out);
      int n = 0;
      for (std::string line; std::getline(lines, line); ++n)
        BOOST_TEST(nlohmann::json::parse(line)["schema_version"] == 1, line);
      BOOST_TEST(n >= 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(under_json_an_error_is_a_json_object_on_stdout_too) {
  const ProcessResult json = run(demo({"check", "nosuch", "hostB", "-o", "json"}));
  BOOST_TEST(json.exit_code == 2);
  nlohmann::json j;
  BOOST_REQUIRE_NO_THROW(j = nlohmann::json::parse(json.out));
  BOOST_TEST(j["schema_version"] == 1);
  BOOST_TEST(j["error"]["exit"] == 2);
  BOOST_TEST(has(j["error"]["message"].get<std::string>(), "VM 'nosuch' not found on any inventory host"), json.out);
  BOOST_TEST(std::count(json.out.begin(), json.out.end(), '\n') == 1, "one line, as a JSON-lines stream ends: " << json.out);
  BOOST_TEST(has(json.err, "VM 'nosuch' not found"), json.err);
  // Text mode: the message on stderr only.
  const ProcessResult text = run(demo({"check", "nosuch", "hostB"}));
  BOOST_TEST(text.exit_code == 2);
  BOOST_TEST(text.out.empty(), text.out);
  BOOST_TEST(has(text.err, "VM 'nosuch' not found"), text.err);
  // A usage error, found before the command runs, also.
  const ProcessResult usage = run(demo({"compare", "hostA", "-o", "json"}));
  BOOST_TEST(usage.exit_code == 2);
  BOOST_REQUIRE_NO_THROW(j = nlohmann::json::parse(usage.out));
  BOOST_TEST(j["error"]["exit"] == 2);
  BOOST_TEST(has(j["error"]["message"].get<std::string>(), "host_b"), usage.out);
}

// A fact a rule needs is missing and no rule blocks: "undecided" in the headline,
// the JSON and the JUnit suite name, the rule under JUnit's errors, exit 2.
BOOST_AUTO_TEST_CASE(an_undecided_check_says_undecided_in_every_format) {
  const TempDir dir("preflight-grammar-undecided");
  const std::string inv = inventory_without_free_memory(dir);
  const ProcessResult json = run({"--inventory", inv, "check", "old1", "hostB", "-o", "json"});
  BOOST_TEST(json.exit_code == 2, json.err);
  const auto j = nlohmann::json::parse(json.out);
  BOOST_TEST(j["verdict"] == "undecided");
  int errors = 0;
  for (const auto& f : j["results"]) {
    errors += f["status"] == "error";
    BOOST_TEST(f["status"] != "block", f["rule"]);
  }
  BOOST_TEST(errors >= 1);

  const ProcessResult text = run({"--inventory", inv, "check", "old1", "hostB"});
  BOOST_TEST(text.exit_code == 2);
  BOOST_TEST(has(text.out, "old1 from hostA to hostB: UNDECIDED\n"), text.out);
  BOOST_TEST(!has(text.out, "NO-GO"), text.out);

  const ProcessResult junit = run({"--inventory", inv, "check", "old1", "hostB", "-o", "junit"});
  BOOST_TEST(junit.exit_code == 2);
  pugi::xml_document doc;
  BOOST_REQUIRE(doc.load_string(junit.out.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  BOOST_TEST(suite.attribute("errors").as_int() == errors);
  BOOST_TEST(suite.attribute("failures").as_int() == 0);
  BOOST_TEST(has(suite.attribute("name").value(), ": undecided"));
  const auto memory = suite.find_child_by_attribute("testcase", "name", "resources.memory");
  BOOST_TEST(static_cast<bool>(memory.child("error")));

  // migrate refuses it with the same word and exit status.
  const ProcessResult move = run({"--inventory", inv, "migrate", "old1", "hostB", "--dry-run", "-o", "json"});
  BOOST_TEST(move.exit_code == 2, move.err);
  BOOST_TEST(nlohmann::json::parse(move.out)["verdict"] == "undecided", move.out);
}

// app1 -> hostC warns (storage.cache-mode): under --strict exit 1 and JUnit failures.
BOOST_AUTO_TEST_CASE(junit_counts_warnings_as_failures_under_strict) {
  const std::string inv = fixture("rules/storage.cache-mode/preflight.yaml");
  for (const bool strict : {false, true}) {
    BOOST_TEST_CONTEXT("strict " << strict) {
      std::vector<std::string> args = {"--inventory", inv, "check", "app1", "hostC", "-o", "junit"};
      if (strict) args.push_back("--strict");
      const ProcessResult r = run(args);
      BOOST_TEST(r.exit_code == (strict ? 1 : 0), r.err);
      pugi::xml_document doc;
      BOOST_REQUIRE(doc.load_string(r.out.c_str()));
      const auto suite = doc.child("testsuites").child("testsuite");
      const auto rule = suite.find_child_by_attribute("testcase", "name", "storage.cache-mode");
      BOOST_TEST(static_cast<bool>(rule.child("failure")) == strict);
      BOOST_TEST((suite.attribute("failures").as_int() > 0) == strict);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_dash_reads_standard_input) {
  const std::string cpu = fixture("lab/hostA-cpu.xml");
  const ProcessResult from_file = run(demo({"baseline", cpu, "hostB"}));
  BOOST_TEST_REQUIRE(from_file.exit_code == 0, from_file.err);
  const ProcessResult from_stdin = run_with_input(demo({"baseline", "-", "hostB"}), slurp(cpu));
  BOOST_TEST(from_stdin.exit_code == 0, from_stdin.err);
  BOOST_TEST(from_stdin.out == from_file.out);

  const ProcessResult compare = run_with_input(demo({"compare", "-", "hostB", "-o", "json"}), slurp(cpu));
  BOOST_TEST(compare.exit_code == 1, compare.err);  // Cascade Lake has what Haswell lacks
  BOOST_TEST(has(compare.out, "\"stdin\""), compare.out);

  // The matrix reads '-' among inventory hosts it collects in parallel.
  const ProcessResult matrix = run_with_input(demo({"matrix", "-", "hostB", "-o", "json"}), slurp(cpu));
  BOOST_TEST(matrix.exit_code == 1, matrix.err);  // Cascade Lake -> Haswell lacks features
  BOOST_TEST(has(matrix.out, "\"stdin\""), matrix.out);

  const ProcessResult collect = run_with_input({"collect", "-"}, slurp(cpu));
  BOOST_TEST(collect.exit_code == 0, collect.err);
  BOOST_TEST(has(collect.out, "schema_version: 1"), collect.out);

  const ProcessResult twice = run_with_input(demo({"compare", "-", "-"}), slurp(cpu));
  BOOST_TEST(twice.exit_code == 2);
  BOOST_TEST(has(twice.err, "'-' (standard input) is given more than once"), twice.err);
  const ProcessResult empty = run_with_input({"collect", "-"}, "");
  BOOST_TEST(empty.exit_code == 2);
  BOOST_TEST(has(empty.err, "stdin: "), empty.err);
}

BOOST_AUTO_TEST_CASE(quiet_drops_notes_and_verbose_says_what_was_loaded_from_where) {
  const ProcessResult normal = run(demo({"baseline", "hostA", "hostB"}));
  BOOST_TEST_REQUIRE(normal.exit_code == 0, normal.err);
  BOOST_TEST(has(normal.err, "baseline "), normal.err);
  const ProcessResult quiet = run(demo({"baseline", "hostA", "hostB", "-q"}));
  BOOST_TEST(quiet.exit_code == 0);
  BOOST_TEST(quiet.err.empty(), quiet.err);
  BOOST_TEST(quiet.out == normal.out);
  const ProcessResult verbose = run(demo({"-v", "baseline", "hostA", "hostB"}));
  BOOST_TEST(verbose.exit_code == 0);
  BOOST_TEST(verbose.out == normal.out);
  BOOST_TEST(has(verbose.err, "preflight: inventory: " + fixture("lab/preflight.yaml") + " (from --inventory), 3 hosts"),
             verbose.err);
  BOOST_TEST(has(verbose.err, "preflight: hostA: inventory host (libvirt test:///"), verbose.err);
  BOOST_TEST(has(verbose.err, "/hostA.xml, cpu /"), verbose.err);
  BOOST_TEST(has(verbose.err, "/hostA-cpu.xml)\n"), verbose.err);
  BOOST_TEST(has(verbose.err, "baseline "), verbose.err);
  const ProcessResult check = run(demo({"check", "web1", "hostB", "--verbose"}));
  BOOST_TEST(has(check.err, "preflight: rules: "), check.err);
  BOOST_TEST(has(check.err, "preflight: policy: "), check.err);
  BOOST_TEST(run(demo({"-q", "-v", "matrix"})).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(every_command_help_lists_its_exit_status) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"collect"}, {"check"}, {"compare"}, {"baseline"}, {"mask"}, {"matrix"}, {"migrate"},
        {"estimate"}, {"rules"}, {"rules", "list"}, {"rules", "explain"}, {"drift"}, {"whatif"}}) {
    BOOST_TEST_CONTEXT(join(args)) {
      std::vector<std::string> help = args;
      help.push_back("--help");
      const ProcessResult r = run(help);
      BOOST_TEST(r.exit_code == 0);
      BOOST_TEST(has(r.out, "Exit status: 0 "), r.out);
      BOOST_TEST(has(r.out, ", 2 "), r.out);  // the status list names exit 2 too
    }
  }
}

BOOST_AUTO_TEST_CASE(collect_writes_a_file_with_w_and_takes_o_as_a_format) {
  const TempDir dir("preflight-grammar-collect");
  const std::string file = (dir.path / "hostB.yaml").string();
  const ProcessResult written = run(demo({"collect", "hostB", "-w", file}));
  BOOST_TEST(written.exit_code == 0, written.err);
  BOOST_TEST(written.out.empty());
  // (The order of pools and VMs is libvirt's, which may differ between two runs.)
  const std::string head = "schema_version: 1\nhost:\n  name: hostB\n";
  BOOST_TEST(has(slurp(file), head), slurp(file));
  BOOST_TEST(has(run(demo({"collect", "hostB", "-o", "yaml"})).out, head));
  // The old spelling, a file name after -o, is refused and writes nothing.
  const ProcessResult old = run(demo({"collect", "hostB", "-o", (dir.path / "x.yaml").string()}));
  BOOST_TEST(old.exit_code == 2);
  BOOST_TEST(!std::filesystem::exists(dir.path / "x.yaml"));
  BOOST_TEST(has(old.err, "this command writes: yaml"), old.err);
}

BOOST_AUTO_TEST_CASE(baseline_format_is_a_deprecated_spelling_of_o) {
  const ProcessResult o = run(demo({"baseline", "hostA", "hostB", "-o", "qemu"}));
  const ProcessResult format = run(demo({"baseline", "hostA", "hostB", "--format", "qemu"}));
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST(format.exit_code == 0);
  BOOST_TEST(format.out == o.out);
  BOOST_TEST(has(o.out, "-cpu "), o.out);
  BOOST_TEST(has(format.err, "--format is deprecated; use -o FORMAT"), format.err);
  BOOST_TEST(!has(run(demo({"baseline", "--help"})).out, "--format"));
}
