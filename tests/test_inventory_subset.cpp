// The fast inventory reader (core/yaml_subset.hpp under load_inventory) against
// yaml-cpp's: on every YAML file in fixtures/, on generated inventories and on
// broken variants of them, both give the same inventory or the same error text
// (file:line:col included); a normal inventory -- the demo lab's, a 10,002-host
// fleet's -- is read by the subset reader.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "inventory/inventory.hpp"
#include "support/error_of.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

// Everything load_inventory gives, as one text to compare and to show.
std::string dump(const Inventory& inv) {
  std::string out = "path " + inv.path + "\npolicy " + inv.policy + "\n";
  for (const InventoryHost& h : inv.hosts) {
    out += fmt::format("host {} line {} libvirt '{}' cpu '{}' facts '{}' pool '{}' migration '{}' migrate_uri '{}'",
                       h.name, h.line, h.libvirt, h.cpu, h.facts, h.pool, h.migration, h.migrate_uri);
    out += h.link_gbit ? fmt::format(" link_gbit {}\n", *h.link_gbit) : std::string(" link_gbit none\n");
    if (inv.find(h.name) != &h) out += "  (not found by name)\n";
  }
  return out;
}

// What a reader made of a text: an inventory (dumped), an error text, or (subset
// only) "not mine".
struct Outside {
  bool operator==(const Outside&) const = default;
};
struct Read {
  std::string dump;
  bool operator==(const Read&) const = default;
};
using Outcome = std::variant<Read, std::string, Outside>;

std::string describe(const Outcome& o) {
  if (const auto* r = std::get_if<Read>(&o)) return "inventory:\n" + r->dump;
  if (std::holds_alternative<Outside>(o)) return "outside the subset";
  return "error: " + std::get<std::string>(o);
}

Outcome by_yaml_cpp(const std::string& text, const std::string& path) {
  try {
    return Read{dump(inventory_from_yaml_cpp(text, path))};
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

Outcome by_subset(const std::string& text, const std::string& path) {
  try {
    std::optional<Inventory> inv = inventory_from_yaml_subset(text, path);
    if (!inv) return Outside{};
    return Read{dump(*inv)};
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

// A scratch folder for inventories that load_inventory reads from disk.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("preflight-inventory-subset-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& text) {
    const std::string path = (dir / "inventory.yaml").string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

Outcome by_load_inventory(const std::string& path) {
  try {
    return Read{dump(load_inventory(path))};
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

// The subset reader, when it answers, answers as yaml-cpp's does (same inventory, or
// the same error word for word); load_inventory always does. Returns the subset's
// outcome.
Outcome check_agreement(const std::string& text, const std::string& path, const std::string& what) {
  const Outcome slow = by_yaml_cpp(text, path);
  const Outcome fast = by_subset(text, path);
  const Outcome loaded = by_load_inventory(path);
  BOOST_TEST_CONTEXT(what << "\n--- text ---\n" << text << "\n--- yaml-cpp: " << describe(slow)
                          << "\n--- subset: " << describe(fast) << "\n--- load_inventory: " << describe(loaded)) {
    if (!std::holds_alternative<Outside>(fast)) BOOST_TEST((fast == slow));
    BOOST_TEST((loaded == slow));
  }
  return fast;
}

Outcome check_text(Scratch& scratch, const std::string& text, const std::string& what) {
  return check_agreement(text, scratch.write(text), what);
}

// An inventory of n hosts in the forms people write: block and flow maps, quoted
// and plain scalars, comments, every key.
std::string generated_inventory(int n) {
  std::string out = "# generated\nhosts:\n";
  for (int i = 0; i < n; ++i) {
    switch (i % 6) {
      case 0:
        out += fmt::format("  host{}:\n    libvirt: test:///lab/host{}.xml\n    cpu: cpus/h{}.xml\n    pool: p{}\n",
                           i, i, i, i % 3);
        break;
      case 1:
        out += fmt::format("  host{}: {{facts: /abs/f{}.yaml, pool: 'prod', link_gbit: {}}}\n", i, i, 1 + i % 40);
        break;
      case 2:
        out += fmt::format("  'host{}':   # quoted name\n    libvirt: \"qemu+ssh://h{}/system\"\n"
                           "    migration: 10.0.{}.1:49152\n    migrate_uri: qemu+tcp://10.0.{}.1/system\n",
                           i, i, i % 250, i % 250);
        break;
      case 3:
        out += fmt::format("  host{}: {{libvirt: 'test:///default', cpu: ../up/c{}.xml}}\n", i, i);
        break;
      case 4:
        out += fmt::format("  host{}:\n\n    facts: rel/dir/../f{}.yaml\n    link_gbit: 0.5\n", i, i);
        break;
      default:
        out += fmt::format("  host-{}.example.com:\n    cpu: /abs/cpu{}.xml   # comment\n    pool: ''\n", i, i);
        break;
    }
  }
  out += "policy: policy.yaml\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_yaml_file_in_fixtures_reads_the_same_through_both_readers) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(PREFLIGHT_FIXTURES))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  size_t inventories = 0;
  size_t fast_inventories = 0;
  for (const auto& file : files) {
    const std::string text = read_file(file);
    const Outcome fast = check_agreement(text, file, file);
    if (std::holds_alternative<Read>(by_yaml_cpp(text, file))) {
      ++inventories;
      fast_inventories += std::holds_alternative<Read>(fast);
    }
  }
  // The lab's and the rule fixtures' inventories, fixtures/inventory/good.yaml.
  BOOST_TEST(inventories >= 10u);
  BOOST_TEST(fast_inventories == inventories);
}

BOOST_AUTO_TEST_CASE(a_normal_inventory_is_read_by_the_subset_reader) {
  const std::string lab = std::string(PREFLIGHT_FIXTURES) + "/lab/preflight.yaml";
  const std::optional<Inventory> inv = inventory_from_yaml_subset(read_file(lab), lab);
  BOOST_REQUIRE(inv.has_value());
  BOOST_TEST(inv->names() == (std::vector<std::string>{"hostA", "hostB", "hostC"}), boost::test_tools::per_element());
  BOOST_TEST(dump(*inv) == dump(load_inventory(lab)));

  // The fleet benchmark's form (bench/fleet/run.sh): the lab with absolute paths,
  // then 10,000 facts hosts in flow maps.
  std::string big = "hosts:\n";
  for (const char* h : {"hostA", "hostB", "hostC"})
    big += fmt::format("  {}: {{libvirt: 'test:///lab/{}.xml', cpu: '/lab/{}-cpu.xml'}}\n", h, h, h);
  for (int i = 0; i < 10000; ++i) big += fmt::format("  h{:05}: {{facts: /tmp/fleet/h{:05}.yaml}}\n", i, i);
  big += "policy: /lab/policy.yaml\n";
  const std::optional<Inventory> fleet = inventory_from_yaml_subset(big, "/tmp/big.yaml");
  BOOST_REQUIRE(fleet.has_value());
  BOOST_TEST(fleet->hosts.size() == 10003u);
  BOOST_TEST(fleet->find("h09999")->facts == "/tmp/fleet/h09999.yaml");
  // /lab/hostB.xml does not exist here: resolved against the inventory's folder.
  BOOST_TEST(fleet->find("hostB")->libvirt == "test:///tmp/lab/hostB.xml");
  BOOST_TEST(dump(*fleet) == dump(inventory_from_yaml_cpp(big, "/tmp/big.yaml")));
}

BOOST_AUTO_TEST_CASE(generated_inventories_read_the_same_and_fast) {
  Scratch scratch;
  for (int n : {1, 2, 7, 60}) {
    const Outcome fast = check_text(scratch, generated_inventory(n), fmt::format("generated, {} hosts", n));
    BOOST_TEST(std::holds_alternative<Read>(fast), "generated, " << n << " hosts: " << describe(fast));
  }
}

// The errors a person makes, each through both readers: the same text, file, line
// and column.
BOOST_AUTO_TEST_CASE(broken_inventories_give_the_same_error_through_both_readers) {
  Scratch scratch;
  const std::string good = generated_inventory(12);
  const std::vector<std::pair<std::string, std::string>> edits = {
      // unknown keys
      {"    pool: p0\n", "    pol: p0\n"},
      {"pool: 'prod'", "poool: 'prod'"},
      {"policy: policy.yaml\n", "policy: policy.yaml\nrules: x\n"},
      {"# generated\n", "# generated\nversion: 1\n"},
      // bad link_gbit
      {"link_gbit: 0.5", "link_gbit: fast"},
      {"link_gbit: 0.5", "link_gbit: 0"},
      {"link_gbit: 0.5", "link_gbit: 1e9"},
      {"link_gbit: 0.5", "link_gbit: nan"},
      {"link_gbit: 0.5", "link_gbit: ''"},
      {"link_gbit: 0.5", "link_gbit:"},
      {"link_gbit: 0.5", "link_gbit: 10 Gbit"},
      {"link_gbit: 2}", "link_gbit: [2]}"},
      // missing source
      {"    libvirt: test:///lab/host0.xml\n    cpu: cpus/h0.xml\n", ""},
      {"  host3: {libvirt: 'test:///default', cpu: ../up/c3.xml}", "  host3: {pool: x}"},
      {"  host3: {libvirt: 'test:///default', cpu: ../up/c3.xml}", "  host3: {}"},
      {"  host3: {libvirt: 'test:///default', cpu: ../up/c3.xml}", "  host3:"},
      {"  host3: {libvirt: 'test:///default', cpu: ../up/c3.xml}", "  host3: ~"},
      {"  host3: {libvirt: 'test:///default', cpu: ../up/c3.xml}", "  host3: a string"},
      // duplicates
      {"  host3: {", "  host1: {"},
      {"  'host2':", "  host1:"},
      {"  host4:\n", "  'host0':\n"},
      {"    pool: p0\n", "    pool: p0\n    pool: p1\n"},
      {"pool: 'prod',", "pool: 'prod', pool: x,"},
      {"policy: policy.yaml\n", "policy: policy.yaml\npolicy: other.yaml\n"},
      {"# generated\nhosts:\n", "# generated\nhosts:\n  hostZ: {cpu: z}\nhosts:\n"},
      // values that are not strings
      {"    pool: p0\n", "    pool: [p0]\n"},
      {"    pool: p0\n", "    pool: {a: b}\n"},
      {"    pool: p0\n", "    pool:\n"},
      {"    pool: p0\n", "    pool: null\n"},
      {"policy: policy.yaml\n", "policy:\n"},
      {"policy: policy.yaml\n", "policy: [a]\n"},
      // no hosts, or not maps
      {"# generated\nhosts:\n", "# generated\nhostz:\n"},
      {"policy: policy.yaml\n", "policy: policy.yaml\nhosts: {}\n"},
      // malformed (yaml-cpp's words)
      {"pool: 'prod'", "pool: 'prod"},
      {"    cpu: cpus/h0.xml\n", "   cpu: cpus/h0.xml\n"},
      {"    cpu: cpus/h0.xml\n", "    cpu: [unclosed\n"},
      {"  host3: {", "\thost3: {"},
  };
  size_t fast_errors = 0;
  for (size_t i = 0; i < edits.size(); ++i) {
    const auto& [from, to] = edits[i];
    const size_t at = good.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "edit " << i << " does not apply: " << from);
    std::string text = good;
    text.replace(at, from.size(), to);
    const Outcome fast = check_text(scratch, text, fmt::format("edit {}: '{}' -> '{}'", i, from, to));
    const Outcome slow = by_yaml_cpp(text, scratch.write(text));
    BOOST_TEST(std::holds_alternative<std::string>(slow), "edit " << i << " is not an error: " << describe(slow));
    fast_errors += std::holds_alternative<std::string>(fast);
  }
  BOOST_TEST_MESSAGE(fast_errors << " of " << edits.size() << " broken inventories refused by the subset reader itself");
  BOOST_TEST(fast_errors >= 25u);
}

// Every line of a generated inventory dropped, doubled, re-indented, cut in half or
// given an odd value: whatever the subset reader answers, yaml-cpp answers too.
BOOST_AUTO_TEST_CASE(mutated_inventories_agree) {
  Scratch scratch;
  const std::string good = generated_inventory(12);
  std::vector<std::string> lines;
  for (size_t p = 0; p < good.size();) {
    const size_t nl = good.find('\n', p);
    lines.push_back(good.substr(p, nl - p));
    p = nl + 1;
  }
  const auto join_with = [&](size_t i, const std::vector<std::string>& replacement) {
    std::string out;
    for (size_t j = 0; j < lines.size(); ++j) {
      if (j == i) {
        for (const auto& r : replacement) out += r + "\n";
      } else {
        out += lines[j] + "\n";
      }
    }
    return out;
  };
  size_t variants = 0;
  size_t answered = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const size_t colon = l.find(": ");
    std::vector<std::vector<std::string>> replacements = {
        {}, {l, l}, {"  " + l}, {l.substr(0, l.size() / 2)}, {l.size() > 2 ? l.substr(2) : l}};
    if (colon != std::string::npos) {
      for (const char* v : {"", "~", "[]", "{}", "[a, b]", "'q''s'", "\"x\\ty\"", "#c", "- item", "&a x", "!!str s"})
        replacements.push_back({l.substr(0, colon) + ": " + v});
    }
    for (const auto& r : replacements) {
      const Outcome fast = check_text(scratch, join_with(i, r), fmt::format("line {} mutated", i + 1));
      ++variants;
      answered += !std::holds_alternative<Outside>(fast);
    }
  }
  BOOST_TEST_MESSAGE(answered << " of " << variants << " mutated inventories answered by the subset reader");
  BOOST_TEST(answered > variants / 2);
}
