// The malformed-input corpus (fixtures/malformed/, made by its make.py, plus the big
// and special cases made here at run time) through the real program: for every input
// kind and every class of bad input, each command that reads that kind exits 2 with
// one message naming the file and what is wrong -- never 0, never a crash, never a
// hang (each run is killed after a generous 20 s and that counts as a failure; it is
// not a measure of speed).
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <algorithm>
#include <string>
#include <vector>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;
using preflight::test::TempDir;

namespace {

constexpr int kKillAfterS = 20;
const std::vector<std::string> kEnv = {"XDG_CONFIG_HOME=/nonexistent-preflight-config", "NO_COLOR=1"};
const std::string kCpuMap = "/usr/share/libvirt/cpu_map";

// What the message must say for each class of bad input (besides the file): by
// "kind/class" where a kind says it its own way, else by class.
const std::map<std::string, std::string> kSays = {
    {"libcpuid/duplicate-key", "given twice"},
    {"libcpuid/huge-string", "(10485775 bytes)"},  // a line of a dump, quoted cut short
    {"cpudata/other-arch", "not x86 CPU data"},
    {"cpu_map/include-empty", "an <include> names no file"},
    {"cpu_map/include-self", "an include cycle"},
    {"testdriver/number-nan", "invalid node memory value"},  // libvirt's test driver reads the numbers
    {"testdriver/number-inf", "invalid node memory value"},
    {"testdriver/number-negative", "invalid node memory value"},
    {"testdriver/number-huge", "invalid node memory value"},
    {"network/bad-network", "could not convert bandwidth average value 'nan'"},
    {"network/no-name", "missing name information"},
    {"testdriver/second-root", "Extra content at the end of the document"},  // libvirt's parser says it
    {"testdriver/truncated", "cannot connect"},
    {"pool/invalid-enum", "Invalid value for attribute 'type' in element 'pool': 'bogus'"},
    {"facts/truncated-between-entries", "says 2 entries, but 'vms' lists 1: the file was cut short"},
    {"directory", "is a directory"},
    {"fifo", "is not a regular file (a FIFO, socket or device)"},
    {"symlink-loop", "Too many levels of symbolic links"},
    {"huge-string", "above the limit of 1048576 bytes for one value"},
    {"deep-nesting", "deeper than 64 levels"},
    {"alias-bomb", "more than 1000000 YAML nodes (aliases expanded)"},
    {"entity-bomb", "a DOCTYPE: refused"},
    {"duplicate-key", "duplicate key"},
    {"second-document", "a second YAML document"},
    {"second-root", "side by side"},
    {"duplicate-attribute", "twice: refused"},
    {"mixed-top", "beside <cpu>"},
    {"other-arch", "aarch64"},
    {"invalid-enum", "bogus"},
    {"non-utf8", ""},
    {"empty", ""},
    {"binary", ""},
    {"truncated", ""},
    {"wrong-top", ""},
    {"wrong-type", ""},
    {"unknown-key", ""},
    {"number-nan", "nan"},
    {"number-inf", "inf"},
    {"number-negative", "-1"},
    {"number-huge", ""},
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

class Corpus {
 public:
  Corpus() : tmp_("preflight-malformed") {
    lab_ = tmp_.path / "lab";
    fs::copy(fixture("lab"), lab_);
  }

  // Makes the bad input of `cls` at `at` from the committed corpus file `corpus`
  // (empty for the classes made here), in the form of `kind`.
  void make(const std::string& kind, const std::string& cls, const fs::path& corpus, const fs::path& at) {
    const bool xml = kind != "facts" && kind != "inventory" && kind != "policy" && kind != "rules" && kind != "libcpuid";
    const std::string big(10 << 20, 'x');
    const std::string root = root_of(kind);
    if (cls == "directory") {
      fs::create_directories(at);
    } else if (cls == "fifo") {
      BOOST_REQUIRE(::mkfifo(at.c_str(), 0600) == 0);
    } else if (cls == "symlink-loop") {
      fs::create_symlink(at.string() + ".other", at);
      fs::create_symlink(at, at.string() + ".other");
    } else if (cls == "huge-string") {
      if (kind == "libcpuid") put(at, "version=0.6.2\nbasic_cpuid[0]=" + big + "\n");
      else if (xml) put(at, "<" + root + " name='" + big + "'/>\n");
      else put(at, std::string(kind == "facts" ? "schema_version: 1\n" : "") + "hosts: " + big + "\n");
    } else if (cls == "deep-nesting") {
      const size_t depth = 100000;
      std::string s;
      if (xml) {
        s = "<" + root + ">";
        for (size_t i = 0; i < depth; ++i) s += "<a>";
        for (size_t i = 0; i < depth; ++i) s += "</a>";
        s += "</" + root + ">\n";
      } else if (kind == "libcpuid") {
        s = "version=0.6.2\n" + std::string(depth, '[') + "\n";  // not a dump: refused by its first line
      } else {
        s = std::string(kind == "facts" ? "schema_version: 1\n" : "") + "hosts: " + std::string(depth, '[') +
            std::string(depth, ']') + "\n";
      }
      put(at, s);
    } else {
      fs::copy_file(corpus, at, fs::copy_options::overwrite_existing);
    }
  }

  // The commands that read `kind`, with "@" where the bad input's path goes.
  std::vector<std::vector<std::string>> commands(const std::string& kind) const {
    const std::string inv = (lab_ / "preflight.yaml").string(), b = (lab_ / "hostB-cpu.xml").string();
    if (kind == "inventory") return {{"--inventory", "@", "check", "web1", "hostB"}, {"--inventory", "@", "matrix"}};
    if (kind == "policy") return {{"--inventory", inv, "--policy", "@", "check", "web1", "hostB"}};
    if (kind == "rules") return {{"--rules", "@dir", "rules", "list"}, {"--inventory", inv, "--rules", "@dir", "check", "web1", "hostB"}};
    if (kind == "cpu_map") return {{"--cpu-map", "@dir", "baseline", (lab_ / "hostA-cpu.xml").string(), b}};
    if (kind == "testdriver" || kind == "network" || kind == "pool")
      return {{"collect", "--libvirt", "test://@"}, {"--inventory", "@inventory", "check", "web1", "hostB"}};
    if (kind == "facts") return {{"collect", "@"}, {"compare", "@", b}};
    return {{"collect", "@"}, {"baseline", "@", b}};
  }

  const fs::path& dir() const { return tmp_.path; }
  const fs::path& lab() const { return lab_; }

  static std::string root_of(const std::string& kind) {
    if (kind == "capabilities") return "capabilities";
    if (kind == "domcaps") return "domainCapabilities";
    if (kind == "domain") return "domain";
    if (kind == "cpu") return "cpu";
    if (kind == "cpudata") return "cpudata";
    if (kind == "cpu_map") return "cpus";
    return "node";
  }

 private:
  TempDir tmp_;
  fs::path lab_;
};

// The class of a corpus file: its name without the extension (and without the
// "index-"/"features-" prefix of the cpu_map cases).
std::string class_of(const std::string& file) {
  std::string c = fs::path(file).stem().string();
  for (const char* prefix : {"index-", "features-"})
    if (c.rfind(prefix, 0) == 0) c = c.substr(std::string(prefix).size());
  return c;
}

struct Case {
  std::string kind;
  std::string cls;
  fs::path corpus;  // empty: made at run time
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  const fs::path root = fixture("malformed");
  std::vector<fs::path> kinds;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) kinds.push_back(e.path());
  std::sort(kinds.begin(), kinds.end());
  for (const auto& k : kinds) {
    const std::string kind = k.filename().string();
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(k)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) cases.push_back({kind, class_of(f.filename().string()), f});
    if (kind == "network" || kind == "pool") continue;  // the test driver's own file classes are under testdriver
    for (const char* made : {"directory", "fifo", "symlink-loop", "huge-string", "deep-nesting"})
      if (kind != "libcpuid" || std::string(made) != "deep-nesting") cases.push_back({kind, made, {}});  // lines, no nesting
  }
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_bad_input_of_every_kind_is_refused_by_every_command_that_reads_it) {
  Corpus corpus;
  const std::vector<Case> cases = all_cases();
  BOOST_TEST_REQUIRE(cases.size() > 150u);
  std::map<std::string, std::set<std::string>> classes_seen;
  size_t n = 0;
  for (const Case& c : cases) {
    const fs::path work = corpus.dir() / ("case" + std::to_string(++n));
    fs::create_directories(work);
    // Where the bad input goes, and the folder a command takes instead of it.
    fs::path at, folder;
    if (c.kind == "rules") {
      folder = work / "rules";
      fs::copy(fs::path(PREFLIGHT_FIXTURES).parent_path() / "rules", folder);
      at = folder / "resources.yaml";
      fs::remove(at);
    } else if (c.kind == "cpu_map") {
      folder = work / "cpu_map";
      fs::copy(kCpuMap, folder);
      const bool features = c.corpus.filename().string().rfind("features-", 0) == 0;
      at = folder / (features ? "x86_features.xml" : "index.xml");
      fs::remove(at);
    } else {
      at = work / ("input" + (c.corpus.empty() ? std::string(".in") : c.corpus.extension().string()));
    }
    corpus.make(c.kind, c.cls, c.corpus, at);
    const fs::path inventory = work / "inventory.yaml";
    put(inventory, "hosts:\n  hostA:\n    libvirt: test://" + at.string() + "\n  hostB:\n    libvirt: test://" +
                       (corpus.lab() / "hostB.xml").string() + "\n");
    classes_seen[c.kind].insert(c.cls);
    for (std::vector<std::string> cmd : corpus.commands(c.kind)) {
      for (auto& a : cmd) {
        if (a == "@") a = at.string();
        else if (a == "test://@") a = "test://" + at.string();
        else if (a == "@dir") a = folder.string();
        else if (a == "@inventory") a = inventory.string();
      }
      std::string line;
      for (const auto& a : cmd) line += " " + (a.size() > 120 ? a.substr(0, 120) + "..." : a);
      const std::string what = c.kind + "/" + c.cls + ":" + line;
      const ProcessResult r = run_preflight(cmd, kEnv, kKillAfterS);
      BOOST_TEST(!r.timed_out, what << ": still running after " << kKillAfterS << " s (a hang)");
      BOOST_TEST(r.signal == 0, what << ": killed by signal " << r.signal << "; stderr: " << r.err.substr(0, 600));
      BOOST_TEST(r.exit_code == 2, what << ": exit " << r.exit_code << "; stderr: " << r.err.substr(0, 600));
      BOOST_TEST(r.err.find(at.string()) != std::string::npos,
                 what << ": the message does not name " << at.string() << ": " << r.err.substr(0, 600));
      BOOST_TEST(r.err.find("internal error") == std::string::npos, what << ": " << r.err.substr(0, 600));
      BOOST_TEST(r.err.size() < 4096, what << ": a message of " << r.err.size() << " bytes");
      auto says = kSays.find(c.kind + "/" + c.cls);
      if (says == kSays.end()) says = kSays.find(c.cls);
      if (says != kSays.end()) {
        BOOST_TEST(r.err.find(says->second) != std::string::npos,
                   what << ": expected '" << says->second << "' in: " << r.err.substr(0, 600));
      } else {
        BOOST_TEST(false, what << ": class '" << c.cls << "' has no expected message in kSays");
      }
    }
  }
  // Each class of the issue has a case for the kinds it applies to.
  for (const char* kind : {"inventory", "facts", "policy", "rules", "capabilities", "domcaps", "domain", "cpu",
                           "testdriver", "cpudata", "libcpuid", "cpu_map"}) {
    for (const char* cls : {"empty", "binary", "truncated", "directory", "fifo", "symlink-loop", "huge-string",
                            "deep-nesting", "non-utf8"})
      if (std::string(kind) != "libcpuid" || std::string(cls) != "deep-nesting")
        BOOST_TEST(classes_seen[kind].count(cls) == 1u, kind << " has no '" << cls << "' case");
  }
  for (const char* kind : {"inventory", "facts", "policy", "rules"})
    for (const char* cls : {"wrong-top", "alias-bomb", "number-nan", "number-inf", "number-negative", "number-huge",
                            "wrong-type", "duplicate-key", "unknown-key", "second-document"})
      BOOST_TEST(classes_seen[kind].count(cls) == 1u, kind << " has no '" << cls << "' case");
  for (const char* kind : {"capabilities", "domcaps", "domain", "cpu", "testdriver", "cpudata"})
    for (const char* cls : {"wrong-top", "entity-bomb"})
      BOOST_TEST(classes_seen[kind].count(cls) == 1u, kind << " has no '" << cls << "' case");
  for (const char* kind : {"capabilities", "domcaps", "domain", "cpu", "testdriver", "cpudata", "cpu_map"})
    BOOST_TEST(classes_seen[kind].count("duplicate-attribute") == 1u, kind << " has no 'duplicate-attribute' case");
  for (const char* kind : {"capabilities", "domcaps", "domain", "testdriver", "cpudata"})  // a CPU file may hold several
    BOOST_TEST(classes_seen[kind].count("second-root") == 1u, kind << " has no 'second-root' case");
  // Every kind that reads numbers has the four bad ones (domain capabilities read none).
  for (const char* kind : {"capabilities", "domain", "cpu", "testdriver", "cpudata", "libcpuid", "cpu_map"})
    for (const char* cls : {"number-nan", "number-inf", "number-negative", "number-huge"})
      BOOST_TEST(classes_seen[kind].count(cls) == 1u, kind << " has no '" << cls << "' case");
  for (const char* kind : {"domcaps", "domain", "cpu", "testdriver", "pool"})  // with enumerated values preflight or libvirt checks
    BOOST_TEST(classes_seen[kind].count("invalid-enum") == 1u, kind << " has no 'invalid-enum' case");
  for (const char* kind : {"capabilities", "domcaps", "cpu", "cpudata"})
    BOOST_TEST(classes_seen[kind].count("other-arch") == 1u, kind << " has no 'other-arch' case");
  BOOST_TEST(classes_seen["libcpuid"].count("duplicate-key") == 1u);
  BOOST_TEST(classes_seen["cpu"].count("mixed-top") == 1u);
  BOOST_TEST(classes_seen["facts"].count("truncated-between-entries") == 1u);
  BOOST_TEST(classes_seen["network"].size() >= 2u);
  BOOST_TEST(classes_seen["pool"].count("invalid-enum") == 1u);
}
