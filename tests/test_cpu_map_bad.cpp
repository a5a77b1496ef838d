// A broken cpu_map folder is refused with the file and what is wrong: an include
// that names no file (was: the folder read as a file, a 2^63-byte allocation), an
// include cycle (was: unbounded recursion), numbers that are not numbers (were 0).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_catalog.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

const fs::path kSystemMap = "/usr/share/libvirt/cpu_map";

// A copy of libvirt's cpu_map with `edit` applied to the text of `file`.
struct BrokenMap {
  test::TempDir dir{"preflight-cpu-map-bad"};
  BrokenMap(const std::string& file, const std::function<std::string(std::string)>& edit) {
    for (const auto& e : fs::directory_iterator(kSystemMap)) fs::copy_file(e.path(), dir.path / e.path().filename());
    const fs::path p = dir.path / file;
    const std::string text = edit(read_file(p.string()));
    std::ofstream(p, std::ios::trunc) << text;
  }
  std::string error() const {
    return test::error_of([&] { CpuCatalog::load(dir.path.string()); });
  }
};

std::string with_include(std::string index, const std::string& include) {
  const size_t at = index.find("<arch name='x86'>");
  BOOST_REQUIRE(at != std::string::npos);
  return index.insert(index.find('\n', at) + 1, "    " + include + "\n");
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_unbroken_copy_loads) {
  BrokenMap same("index.xml", [](std::string s) { return s; });
  BOOST_TEST(CpuCatalog::load(same.dir.path.string()).features().size() > 100u);
}

BOOST_AUTO_TEST_CASE(an_include_without_a_file_name_is_refused) {
  BrokenMap m("index.xml", [](std::string s) { return with_include(s, "<include filename=''/>"); });
  const std::string e = m.error();
  BOOST_TEST(e.find("index.xml: an <include> names no file") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(an_include_cycle_is_refused) {
  BrokenMap self("index.xml", [](std::string s) { return with_include(s, "<include filename='index.xml'/>"); });
  BOOST_TEST(self.error().find("include cycle") != std::string::npos, self.error());
  // x86_vendors.xml includes itself.
  BrokenMap loop("x86_vendors.xml", [](std::string s) {
    return s.insert(s.find('\n', s.find("<cpus>")) + 1, "  <include filename='x86_vendors.xml'/>\n");
  });
  BOOST_TEST(loop.error().find("x86_vendors.xml: includes x86_vendors.xml") != std::string::npos, loop.error());
}

BOOST_AUTO_TEST_CASE(a_register_value_that_is_not_a_number_is_refused) {
  BrokenMap m("x86_features.xml", [](std::string s) {
    return std::regex_replace(s, std::regex("eax_in='0x01'"), "eax_in='banana'", std::regex_constants::format_first_only);
  });
  const std::string e = m.error();
  BOOST_TEST(e.find("x86_features.xml: <cpuid eax_in='banana'> is not a 32-bit number") != std::string::npos, e);
  BrokenMap big("x86_features.xml", [](std::string s) {
    return std::regex_replace(s, std::regex("eax_in='0x01'"), "eax_in='0x100000001'",
                              std::regex_constants::format_first_only);
  });
  BOOST_TEST(big.error().find("is not a 32-bit number") != std::string::npos, big.error());
}

BOOST_AUTO_TEST_CASE(an_include_that_is_a_directory_is_refused_before_reading) {
  BrokenMap m("index.xml", [](std::string s) { return with_include(s, "<include filename='sub'/>"); });
  fs::create_directory(m.dir.path / "sub");
  const std::string e = m.error();
  BOOST_TEST(e.find("sub") != std::string::npos, e);
  BOOST_TEST(e.find("directory") != std::string::npos, e);
}
