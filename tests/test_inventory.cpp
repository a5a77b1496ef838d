#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "inventory/inventory.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {
std::string error_of(const std::string& path) {
  return preflight::test::error_of([&] { load_inventory(path); });
}
}  // namespace

BOOST_AUTO_TEST_CASE(reads_hosts_in_order_and_resolves_paths_against_its_folder) {
  const Inventory inv = load_inventory(fixture("inventory/good.yaml"));
  const std::string dir = fixture("inventory");
  BOOST_TEST(inv.names() == (std::vector<std::string>{"hostA", "hostB", "hostC"}), boost::test_tools::per_element());
  const InventoryHost* a = inv.find("hostA");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->libvirt == "test://" + dir + "/lab/hostA.xml");
  BOOST_TEST(a->cpu == dir + "/cpus/hostA-cpu.xml");
  BOOST_TEST(a->pool == "prod");
  BOOST_TEST(a->migration == "10.0.0.1:49152");
  BOOST_TEST(a->link_gbit.value_or(0) == 25.0);
  BOOST_TEST(a->line == 3);
  BOOST_TEST(!inv.find("hostB")->link_gbit.has_value());
  BOOST_TEST(inv.find("hostB")->libvirt == "qemu+ssh://hostB/system");
  BOOST_TEST(inv.find("hostC")->facts == "/abs/hostC.yaml");
  BOOST_TEST(inv.policy == dir + "/policy.yaml");
  BOOST_TEST(inv.find("hostD") == nullptr);
}

BOOST_AUTO_TEST_CASE(test_uris_keep_existing_absolute_paths_and_default) {
  BOOST_TEST(resolve_libvirt_uri("test:///default", "/x") == "test:///default");
  BOOST_TEST(resolve_libvirt_uri("test:///etc/hostname", "/x") == "test:///etc/hostname");
  BOOST_TEST(resolve_libvirt_uri("test:///lab/h.xml", "/x/y") == "test:///x/y/lab/h.xml");
  BOOST_TEST(resolve_libvirt_uri("qemu:///system", "/x") == "qemu:///system");
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_suggestion) {
  BOOST_TEST(error_of(fixture("inventory/unknown-key.yaml")) ==
             fixture("inventory/unknown-key.yaml") +
                 ":4:5: unknown host key 'pol' (did you mean 'pool'?); known keys: libvirt, cpu, facts, pool, migration, migrate_uri, link_gbit");
}

BOOST_AUTO_TEST_CASE(a_link_speed_that_is_not_a_positive_number_is_refused_with_its_place) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-inventory-link-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "inventory.yaml").string();
  std::ofstream(path) << "hosts:\n  hostA:\n    libvirt: qemu:///system\n    link_gbit: fast\n";
  BOOST_TEST(error_of(path) == path + ":4:16: 'link_gbit' (Gbit/s) must be a number from 0.001 to 10000, not 'fast'; "
                                      "e.g. link_gbit: 10 for a 10 GbE migration network");
  for (const std::string value : {"inf", "nan", "1e-300", "-1", "0", "1e300"}) {
    std::ofstream(path) << "hosts:\n  hostA:\n    libvirt: qemu:///system\n    link_gbit: " << value << "\n";
    BOOST_TEST(error_of(path).find("'link_gbit' (Gbit/s) must be a number from 0.001 to 10000, not '" + value + "'") !=
                   std::string::npos,
               value);
  }
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_key_given_twice_a_second_document_and_a_directory_are_refused) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-inventory-dup-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "folder.yaml");
  const std::string path = (dir / "inventory.yaml").string();
  std::ofstream(path) << "hosts:\n  hostA:\n    libvirt: qemu:///system\n    libvirt: test:///default\n";
  BOOST_TEST(error_of(path) == path + ":4:5: duplicate key 'libvirt'; fix the inventory file");
  std::ofstream(path) << "hosts:\n  hostA:\n    libvirt: qemu:///system\n---\nhosts: {}\n";
  BOOST_TEST(error_of(path) == path + ":5:1: a second YAML document; the file holds one; fix the inventory file");
  const std::string folder = (dir / "folder.yaml").string();
  BOOST_TEST(error_of(folder).rfind(folder + ": is a directory, not a file; ", 0) == 0, error_of(folder));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(malformed_yaml_names_file_line_and_column) {
  const std::string msg = error_of(fixture("inventory/malformed.yaml"));
  BOOST_TEST(msg.rfind(fixture("inventory/malformed.yaml") + ":4:", 0) == 0, msg);
}

BOOST_AUTO_TEST_CASE(host_without_source_is_refused) {
  BOOST_TEST(error_of(fixture("inventory/no-source.yaml")) ==
             fixture("inventory/no-source.yaml") +
                 ":2:3: host 'hostA' has no source of facts; give it 'libvirt: URI', 'facts: FILE' or 'cpu: FILE'");
}

BOOST_AUTO_TEST_CASE(missing_file_says_what_to_do) {
  const std::string msg = error_of("/nonexistent/inv.yaml");
  BOOST_TEST(msg.rfind("/nonexistent/inv.yaml: cannot read: No such file or directory; give an existing inventory file",
                       0) == 0,
             msg);
}

BOOST_AUTO_TEST_CASE(find_answers_for_every_host_loaded_and_for_hosts_added_later) {
  Inventory inv = load_inventory(fixture("inventory/good.yaml"));
  for (const auto& h : inv.hosts) BOOST_TEST(inv.find(h.name) == &h);
  BOOST_TEST(inv.find("hostD") == nullptr);
  InventoryHost d;
  d.name = "hostD";
  d.facts = "/nonexistent.yaml";
  inv.hosts.push_back(d);
  BOOST_REQUIRE(inv.find("hostD") != nullptr);
  BOOST_TEST(inv.find("hostD")->facts == "/nonexistent.yaml");
  BOOST_TEST(inv.find("hostA") == &inv.hosts[0]);
}

// resolve_path decides the common (already normal) case without std::filesystem;
// every answer is still the lexically normal path the filesystem library gives.
BOOST_AUTO_TEST_CASE(resolve_path_is_the_lexically_normal_path) {
  namespace fs = std::filesystem;
  const std::vector<std::string> paths = {
      "a",      "a/b.xml", "a/",        "./a",     "a/./b",  "a/../b", "../a",   "..",    ".",        "a//b",
      "a/b/.",  "a/b/..",  "/abs/f.xml", "/abs/",  "/",      "//x",    "/a//b",  "/a/./b", "/a/../b", "/../a",
      "/a/b/.", "/a/b/..", "/a/..b",    "/a/.b/c", "a..",    "...",    "/a/b/c/", ".hidden", "a/.../b", "///"};
  const std::vector<std::string> bases = {"/x/y", "/", "/x/y/", "/x/../y", "/x//y", "rel/dir", "", "."};
  for (const auto& base : bases) {
    for (const auto& p : paths) {
      const fs::path path(p);
      const std::string expected =
          (path.is_absolute() ? path : fs::path(base) / path).lexically_normal().string();
      BOOST_TEST(resolve_path(p, base) == expected, "path '" << p << "' base '" << base << "'");
    }
  }
  BOOST_TEST(resolve_path("", "/x") == "");
}
