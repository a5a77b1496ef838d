// preflight's host CPU decode against libvirt's own: for every raw CPUID dump in
// fixtures/cputestdata (libvirt 9.0's tests/cputestdata, see its README), the
// features and model preflight decodes must equal libvirt's *-host.xml, whose
// feature set is its model's features plus those it lists. On failure a table of
// the differences is printed.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "cpu/host_cpu.hpp"
#include "cpu/host_cpu_model.hpp"
#include "facts/cpu_xml.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(PREFLIGHT_FIXTURES) + "/cputestdata";

const CpuCatalog& catalog() {
  static const CpuCatalog c = CpuCatalog::load();
  return c;
}

struct Pair {
  std::string name;  // "Core-i5-4670T"
  fs::path dump, host;
};

// Every x86_64-cpuid-NAME.xml that has a NAME-host.xml beside it, by name.
std::vector<Pair> pairs() {
  std::vector<Pair> out;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string file = e.path().filename().string();
    const std::string prefix = "x86_64-cpuid-", suffix = "-host.xml";
    if (!file.starts_with(prefix) || !file.ends_with(suffix)) continue;
    const std::string name = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
    out.push_back({name, fs::path(kDir) / (prefix + name + ".xml"), e.path()});
  }
  std::sort(out.begin(), out.end(), [](const Pair& a, const Pair& b) { return a.name < b.name; });
  return out;
}

struct Decoded {
  std::string model;
  CpuFeatureSet features;
};

Decoded libvirt_says(const fs::path& host_xml) {
  const std::string text = read_file(host_xml.string());
  pugi::xml_document doc;
  BOOST_REQUIRE_MESSAGE(doc.load_string(text.c_str()), host_xml);
  const CpuDefinition def = parse_cpu_element(doc.child("cpu"), "cpu.xml");
  return {def.model, expand_definition(def, catalog(), false, nullptr, host_xml.string())};
}

Decoded preflight_says(const fs::path& dump) {
  const std::vector<HostFacts> hosts = hosts_from_file(dump.string());
  BOOST_REQUIRE_EQUAL(hosts.size(), 1u);
  const HostCpu cpu = resolve_host_cpu(hosts.front(), catalog());
  return {libvirt_host_model(cpu, catalog()).model->name, cpu.silicon};
}

std::string names(const CpuFeatureSet& s) {
  const auto n = catalog().names(s);
  return n.empty() ? "-" : join(n, " ");
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_dump_decodes_to_libvirts_host_cpu) {
  const std::vector<Pair> all = pairs();
  BOOST_TEST_REQUIRE(all.size() >= 61u, "fixtures/cputestdata holds " << all.size() << " pairs, expected libvirt 9.0's 61");
  std::string table;
  size_t agree = 0;
  for (const Pair& p : all) {
    BOOST_TEST_CONTEXT(p.name) {
      BOOST_TEST_REQUIRE(fs::exists(p.dump), p.dump << " is missing");
      const Decoded want = libvirt_says(p.host);
      const Decoded got = preflight_says(p.dump);
      if (want.model == got.model && want.features == got.features) {
        ++agree;
        continue;
      }
      table += fmt::format("{:<28} {:<24} {:<24} {:<30} {}\n", p.name, want.model, got.model,
                           names(want.features - got.features), names(got.features - want.features));
    }
  }
  BOOST_TEST_MESSAGE(fmt::format("cputestdata: preflight agrees with libvirt on {} of {} CPUs", agree, all.size()));
  BOOST_TEST(table.empty(), "preflight disagrees with libvirt on " << all.size() - agree << " of " << all.size()
                                                                     << " CPUs:\n"
                                                                     << fmt::format("{:<28} {:<24} {:<24} {:<30} {}\n",
                                                                                    "CPU", "libvirt model",
                                                                                    "preflight model",
                                                                                    "only libvirt has",
                                                                                    "only preflight has")
                                                                     << table);
}
