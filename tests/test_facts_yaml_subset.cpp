// The fast facts reader (core/yaml_subset.hpp under facts_from_yaml) against
// yaml-cpp's: on every facts file in fixtures/, on writer output of many generated
// hosts and on broken variants of it, both give the same HostFacts or the same error
// text; what the writer emits is inside the subset; odd YAML still loads, through
// yaml-cpp.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <variant>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/yaml_subset.hpp"
#include "facts/facts_yaml.hpp"
#include "facts/facts_yaml_fields.hpp"
#include "facts/facts_yaml_readers.hpp"
#include "support/error_of.hpp"

using namespace preflight;

namespace {

// What a reader made of a text: facts, an error text, or (subset only) "not mine".
struct Outside {
  bool operator==(const Outside&) const = default;
};
using Outcome = std::variant<HostFacts, std::string, Outside>;

std::string describe(const Outcome& o) {
  if (std::holds_alternative<HostFacts>(o)) return "facts";
  if (std::holds_alternative<Outside>(o)) return "outside the subset";
  return "error: " + std::get<std::string>(o);
}

Outcome by_yaml_cpp(const std::string& text) {
  try {
    return facts_from_yaml_cpp(text, "f.yaml");
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

Outcome by_subset(const std::string& text) {
  try {
    std::optional<HostFacts> h = facts_from_yaml_subset(text, "f.yaml");
    if (!h) return Outside{};
    return std::move(*h);
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

Outcome by_facts_from_yaml(const std::string& text) {
  try {
    return facts_from_yaml(text, "f.yaml");
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

// The subset reader, when it answers, answers as yaml-cpp's does (same facts, or the
// same error word for word); facts_from_yaml always does. Returns the subset's outcome.
Outcome check_agreement(const std::string& text, const std::string& what) {
  const Outcome slow = by_yaml_cpp(text);
  const Outcome fast = by_subset(text);
  BOOST_TEST_CONTEXT(what << "\n--- text ---\n" << text << "\n--- yaml-cpp: " << describe(slow)
                          << "\n--- subset: " << describe(fast)) {
    if (!std::holds_alternative<Outside>(fast)) BOOST_TEST((fast == slow));
    BOOST_TEST((by_facts_from_yaml(text) == slow));
  }
  return fast;
}

// --- generated hosts ------------------------------------------------------------------

// Strings chosen to trip a YAML reader: indicators, null and bool words, numbers,
// quotes, escapes, spaces at either end, control characters.
const std::vector<std::string> kAwkward = {
    "", " ", "a", "web1", "null", "~", "Null", "NULL", "true", "no", "unknown", "0x1f", "-1", "12",
    "a: b", "a:b", "a #b", "#c", "- x", "-x", "? q", ":x", "[x]", "{y}", "a,b", "x]", "&anchor", "*alias",
    "!tag", "|", ">", "%p", "@at", "`bt", "'single'", "it's", "\"double\"", "back\\slash", "  lead",
    "trail  ", "two\nlines", "tab\there", "cr\r", std::string("nul\0z", 5), "del\x7f", "bell\a", "esc\x1b",
    "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi", "127.0.0.1:4555", "[fd00::3]:6789", "Mitigation: IBRS; x",
    "---", "...", "a ---", "key: value # c"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  bool chance(uint32_t one_in) { return rng_() % one_in == 0; }
  template <class C>
  const typename C::value_type& pick(const C& c) {
    return c[rng_() % c.size()];
  }

  std::string text() {
    if (rng_() % 1000 == 0) return "\xc3\xa9 non-ASCII";  // rare: such a host goes to yaml-cpp
    std::string s = pick(kAwkward);
    if (chance(3)) s += pick(kAwkward);
    return s;
  }

  template <class T>
  void fill(T& v, int depth) {
    using facts_yaml::Style;
    if constexpr (std::is_same_v<T, bool>) {
      v = chance(2);
    } else if constexpr (std::is_integral_v<T>) {
      const uint64_t choices[] = {0, 1, 42, std::numeric_limits<T>::max(), rng_()};
      v = static_cast<T>(choices[rng_() % 5]);
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = text();
    } else if constexpr (std::is_same_v<T, CpuidLeaf>) {
      v = {static_cast<uint32_t>(rng_()), static_cast<uint32_t>(rng_() % 4), static_cast<uint32_t>(rng_()),
           static_cast<uint32_t>(rng_()), static_cast<uint32_t>(rng_()), static_cast<uint32_t>(rng_())};
    } else if constexpr (requires { T::unknown(std::string()); }) {
      if (chance(3)) {
        v = T::unknown(text());
      } else {
        std::remove_cvref_t<decltype(*v.get())> value{};
        fill(value, depth);
        v = std::move(value);
      }
    } else if constexpr (requires { v.has_value(); typename T::value_type; }) {
      if (chance(2)) {
        typename T::value_type value{};
        fill(value, depth);
        v = std::move(value);
      } else {
        v.reset();
      }
    } else if constexpr (requires { v.push_back(typename T::value_type{}); }) {
      v.resize(depth > 2 ? 0 : rng_() % (std::is_same_v<typename T::value_type, CpuidLeaf> ? 8 : 3));
      for (auto& item : v) fill(item, depth + 1);
    } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
      v.clear();
      for (size_t i = rng_() % 4; i > 0; --i) v[text()] = text();
    } else {
      facts_yaml::Fields<T>::each(v, [&](const char*, auto& field, Style = Style::plain) { fill(field, depth + 1); });
    }
  }

  HostFacts host() {
    HostFacts h;
    fill(h, 0);
    return h;
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

std::vector<std::string> facts_fixtures() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(PREFLIGHT_FIXTURES)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml" &&
        read_file(e.path().string()).find("schema_version") != std::string::npos)
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_facts_fixture_reads_the_same_through_both_readers) {
  const std::vector<std::string> files = facts_fixtures();
  BOOST_TEST(files.size() >= 9u);
  size_t read_fast = 0;
  for (const std::string& file : files) {
    const Outcome fast = check_agreement(read_file(file), file);
    read_fast += std::holds_alternative<HostFacts>(fast);
    // The collected ones (all but fixtures/bad and fixtures/malformed) are inside the subset.
    if (file.find("/bad/") == std::string::npos && file.find("/malformed/") == std::string::npos)
      BOOST_TEST(std::holds_alternative<HostFacts>(fast), file);
  }
  BOOST_TEST(read_fast >= 7u);
}

BOOST_AUTO_TEST_CASE(writer_output_of_generated_hosts_is_read_fast_and_the_same) {
  Generator gen(20261130);
  size_t inside = 0;
  const size_t hosts = 300;
  for (size_t i = 0; i < hosts; ++i) {
    const HostFacts h = gen.host();
    const std::string yaml = facts_to_yaml(h);
    const Outcome fast = check_agreement(yaml, "generated host " + std::to_string(i));
    BOOST_TEST((by_yaml_cpp(yaml) == Outcome(h)), "host " << i << " does not round-trip through yaml-cpp");
    if (std::holds_alternative<HostFacts>(fast)) {
      ++inside;
    } else {
      // Only text the subset leaves out on purpose sends writer output to yaml-cpp.
      const bool non_ascii = std::any_of(yaml.begin(), yaml.end(), [](char c) { return c & 0x80; });
      BOOST_TEST(non_ascii, "host " << i << ": " << describe(fast) << "\n" << yaml);
    }
  }
  BOOST_TEST_MESSAGE(inside << " of " << hosts << " generated hosts read by the subset reader");
  BOOST_TEST(inside > hosts / 2);
}

// Broken variants of writer output: a character deleted, one inserted, a line
// dropped or repeated, the text cut. Whatever yaml-cpp's reader makes of each, the
// subset reader makes the same or leaves it to yaml-cpp.
BOOST_AUTO_TEST_CASE(broken_writer_output_gives_the_same_error_through_both_readers) {
  Generator gen(7);
  const std::string inserts = " :#-[]{},'\"\\~!&*?|>\n0x";
  size_t fast_errors = 0;
  for (int i = 0; i < 1500; ++i) {
    HostFacts h;
    if (i % 3 == 0) {
      h = gen.host();
    } else {
      h.name = gen.text();
      h.cpu.cpuid = std::vector<CpuidLeaf>{{0x7, 0x0, 0x0, 0xd39ffffb, 0x818, 0xbc000400}};
      h.memory.total_kib = 1024;
      VmFacts vm;
      gen.fill(vm, 1);
      h.vms = std::vector<VmFacts>{vm};
    }
    std::string text = facts_to_yaml(h);
    const size_t at = gen.rng()() % text.size();
    switch (gen.rng()() % 5) {
      case 0: text.erase(at, 1); break;
      case 1: text.insert(at, 1, gen.pick(inserts)); break;
      case 2: {
        const size_t start = text.rfind('\n', at) + 1;
        text.erase(start, text.find('\n', at) - start + 1);
        break;
      }
      case 3: {
        const size_t start = text.rfind('\n', at) + 1;
        text.insert(start, text.substr(start, text.find('\n', at) - start + 1));
        break;
      }
      default: text.resize(at);
    }
    const Outcome fast = check_agreement(text, "variant " + std::to_string(i));
    fast_errors += std::holds_alternative<std::string>(fast);
  }
  BOOST_TEST_MESSAGE(fast_errors << " variants refused by the subset reader itself");
  BOOST_TEST(fast_errors > 100u);
}

BOOST_AUTO_TEST_CASE(the_errors_of_test_facts_yaml_and_test_facts_required_are_the_same) {
  const std::string old1 = read_file(std::string(PREFLIGHT_FIXTURES) + "/rules/cpu.firmware/hostA.yaml");
  const size_t vm = old1.find("    - name: old1\n");
  BOOST_REQUIRE(vm != std::string::npos);
  std::vector<std::string> texts = {
      "schema_version: 1\nhost:\n  name: x\n  memory:\n    total_kib: abc\n",
      "schema_version: 1\nhost:\n  topology: {cpus: -1}\n",
      "schema_version: 1\nhost:\n  topology: {cpus: 4294967296}\n",
      "schema_version: 1\nhost:\n  networks:\n    - name: n\n      active: yes\n",
      "schema_version: 1\nhost:\n  hostname: [a]\n",
      "schema_version: 1\nhost:\n  vms: {a: 1}\n",
      "schema_version: 1\nhost:\n  cpu:\n    cpuid:\n      - [0x1, 0x0, 0x1]\n",
      "schema_version: 1\nhost:\n  cpu:\n    cpuid:\n      - [0x1, 0x0, 0x1, 0x2, zz, 0x4]\n",
      "schema_version: 1\nhost:\n  memory: {total_kib: {unknown: [x]}}\n",
      "schema_version: 1\nhost:\n  memory:\n    totl_kib: 1\n",
      "schema_version: 1\nhost: {}\ncomment: x\n",
      "schema_version: 1\nhost:\n  name: a\n  name: b\n",
      "schema_version: 1\n",
      "schema_version: 2\nhost:\n  new_key: x\n",
      "host:\n  name: x\n",
      "schema_version: 1\nhost:\n",
      "schema_version: 1\nhost: ~\n",
      "schema_version: 1\nhost:\n  name:\n  arch: x86_64\n",
      "schema_version: 1\nhost:\n  firmware:\n    vulnerabilities:\n      \"unknown\": x\n      ~: y\n",
      old1.substr(0, old1.find("      state: running", vm)),
      std::string(old1).replace(vm, 17, "    -\n"),
      std::string(old1).replace(old1.find("memory_kib: 4194304", vm), 19, "memory_kib: ~"),
      std::string(old1).replace(old1.find("memory_kib: 4194304", vm), 19, "memory_kib:"),
  };
  for (const char* key : {"state", "memory_kib", "current_memory_kib", "vcpus"}) {
    std::string text = old1;
    const size_t at = text.find(std::string("      ") + key + ": ", vm);
    BOOST_REQUIRE(at != std::string::npos);
    texts.push_back(text.erase(at, text.find('\n', at) + 1 - at));
  }
  for (const std::string& text : texts) {
    const Outcome fast = check_agreement(text, "broken input");
    BOOST_TEST(std::holds_alternative<std::string>(fast), "the subset reader should refuse it itself:\n" << text);
  }
}

BOOST_AUTO_TEST_CASE(yaml_outside_the_subset_still_loads_through_yaml_cpp) {
  const std::string plain = "schema_version: 1\nhost:\n  name: h1\n  cpu:\n    features:\n      - vmx\n      - aes\n"
                            "  memory: {total_kib: 1024}\n";
  const HostFacts expected = facts_from_yaml_cpp(plain, "f.yaml");
  BOOST_TEST(expected.name == "h1");
  BOOST_REQUIRE(expected.cpu.features.known());
  BOOST_TEST(expected.cpu.features.value().size() == 2u);
  BOOST_TEST((facts_from_yaml_subset(plain, "f.yaml") == expected));
  const std::vector<std::string> odd = {
      "%YAML 1.2\n---\n" + plain,                                                  // directive, document start
      plain + "...\n",                                                              // document end
      "schema_version: !!int 1\nhost:\n  name: h1\n  cpu:\n    features: [vmx,\n      aes]\n"
      "  memory: {total_kib: 1024}\n",                                              // tag, flow over two lines
      "schema_version: 1\nhost:\n  name: &n h1\n  cpu:\n    features:\n    - vmx\n    - aes\n"
      "  memory: {total_kib: 1024}\n",                                              // anchor, indentless list
      "schema_version: 1\nhost:\n  name: >-\n    h1\n  cpu:\n    features: [\"vmx\", 'aes']\n"
      "  memory: {\"total_kib\": 1024}\n",                                          // block scalar, quoted flow key
      "schema_version: 1\r\nhost:\r\n  name: h1\r\n  cpu:\r\n    features: [vmx, aes]\r\n"
      "  memory: {total_kib: 1024}\r\n",                                            // CRLF
      "schema_version: 1\nhost:\n\tname: h1\n",                                     // a tab (yaml-cpp refuses it)
  };
  for (size_t i = 0; i < odd.size(); ++i) {
    BOOST_TEST_CONTEXT("odd text " << i << ":\n" << odd[i]) {
      BOOST_TEST(!facts_from_yaml_subset(odd[i], "f.yaml").has_value());
      BOOST_TEST((by_facts_from_yaml(odd[i]) == by_yaml_cpp(odd[i])));
      if (i < odd.size() - 1) BOOST_TEST((facts_from_yaml(odd[i], "f.yaml") == expected));
    }
  }
}

// The limits of core/yaml_load hold on the fast path too: what is too deep for the
// subset goes to yaml-cpp, whose reader refuses it with today's message.
BOOST_AUTO_TEST_CASE(the_input_limits_hold_for_text_that_looks_like_the_subset) {
  std::string deep = "schema_version: 1\nhost:\n  name: x\n  memory:\n    hugepages: ";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "\n";
  BOOST_TEST(!yaml_subset::parse(deep).has_value());
  BOOST_TEST(preflight::test::error_of([&] { facts_from_yaml(deep, "f.yaml"); })
                 .find("f.yaml:5:") == 0u);
  BOOST_TEST(preflight::test::error_of([&] { facts_from_yaml(deep, "f.yaml"); }).find("nested deeper than 64 levels") !=
             std::string::npos);
  const std::string twice = "schema_version: 1\nhost:\n  name: a\n  memory:\n    total_kib: 1\n    total_kib: 2\n";
  BOOST_TEST(preflight::test::error_of([&] { facts_from_yaml_subset(twice, "f.yaml"); }) ==
             "f.yaml:6:5: host.memory: duplicate key 'total_kib'; fix the file, or collect the facts again with "
             "`preflight collect`");
}

// The parser on its own: kinds, null forms, quoting, escapes and marks, as yaml-cpp.
BOOST_AUTO_TEST_CASE(the_subset_parser_reads_the_writers_forms) {
  const std::string text =
      "# a comment\n"
      "a: plain text  # trailing comment\n"
      "b: [0x1, ~, null, 'it''s', \"q\\\"\\n\\x41\", {k: v, n: NULL}]\n"
      "c:\n"
      "  - x: 1\n"
      "    y: ''\n"
      "  -\n"
      "  - \"\"\n"
      "d:\n"
      "e: {}\n";
  const auto doc = yaml_subset::parse(text);
  BOOST_REQUIRE(doc.has_value());
  const yaml_subset::Node& root = doc->root();
  BOOST_REQUIRE(root.is_map());
  BOOST_REQUIRE(root.size() == 5u);
  BOOST_TEST(root.key(0).scalar() == "a");
  BOOST_TEST(root.value(0).scalar() == "plain text");
  BOOST_TEST(root.value(0).mark().line == 1);
  BOOST_TEST(root.value(0).mark().column == 3);
  const yaml_subset::Node& b = root.value(1);
  BOOST_REQUIRE(b.is_sequence());
  BOOST_REQUIRE(b.size() == 6u);
  BOOST_TEST(b.item(0).scalar() == "0x1");
  BOOST_TEST(b.item(1).is_null());
  BOOST_TEST(b.item(2).is_null());
  BOOST_TEST(b.item(3).scalar() == "it's");
  BOOST_TEST(!b.item(3).plain());
  BOOST_TEST(b.item(4).scalar() == "q\"\nA");
  BOOST_TEST(b.item(5).is_map());
  BOOST_TEST(b.item(5).value(1).is_null());
  const yaml_subset::Node& c = root.value(2);
  BOOST_REQUIRE(c.is_sequence());
  BOOST_REQUIRE(c.size() == 3u);
  BOOST_TEST(c.mark().line == 4);
  BOOST_TEST(c.mark().column == 2);
  BOOST_TEST(c.item(0).is_map());
  BOOST_TEST(c.item(0).mark().column == 4);
  BOOST_TEST(c.item(0).value(1).is_scalar());  // '' is an empty string, not null
  BOOST_TEST(c.item(1).is_null());
  BOOST_TEST(c.item(1).mark().line == 7);  // an empty item is marked at the next token
  BOOST_TEST(c.item(2).is_scalar());
  BOOST_TEST(root.value(3).is_null());
  BOOST_TEST(root.value(4).is_map());
  BOOST_TEST(root.value(4).size() == 0u);
}

// utf8_error_offset reads ASCII eight bytes at a time: a bad or good multi-byte
// sequence at every offset around those blocks, found where it is.
BOOST_AUTO_TEST_CASE(utf8_errors_are_found_at_any_offset) {
  for (size_t at = 0; at < 20; ++at) {
    for (const std::string& bad : {std::string("\xff"), std::string("\xc3"), std::string("\xed\xa0\x80")}) {
      const std::string text = std::string(at, 'a') + bad + std::string(11, 'b');
      BOOST_TEST(utf8_error_offset(text) == at, "at " << at);
    }
    const std::string good = std::string(at, 'a') + "\xc3\xa9\xe2\x82\xac" + std::string(at % 9, 'b');
    BOOST_TEST(utf8_error_offset(good) == std::string_view::npos, "at " << at);
    BOOST_TEST(utf8_error_offset(good + "\x80") == good.size(), "at " << at);
  }
}
