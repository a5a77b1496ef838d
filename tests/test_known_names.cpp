// The names shell completion offers (collect/known_names): VMs read from the
// inventory's files, never from a connection.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "collect/known_names.hpp"
#include "inventory/inventory.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(test_driver_file_gives_its_domains_in_order) {
  const std::vector<std::string> names = test_driver_domain_names(read(fixture("lab/hostB.xml")));
  BOOST_TEST(names == (std::vector<std::string>{"legacy1", "media1", "erp1", "lb1", "test1"}),
             boost::test_tools::per_element());
  BOOST_TEST(test_driver_domain_names("not xml <").empty());
  BOOST_TEST(test_driver_domain_names("<node><host/></node>").empty());
}

BOOST_AUTO_TEST_CASE(vms_of_facts_files_and_test_driver_files_each_once_and_no_host_names) {
  const test::TempDir dir("preflight-known-names");
  dir.write("broken.yaml", "schema_version: 1\nhost: [not, a, host\n");
  const std::string inv_path = dir.write(
      "inventory.yaml",
      "hosts:\n"
      "  factsA:\n    facts: " + fixture("golden/facts_full.yaml") + "\n"  // web1, db1
      "  factsB:\n    facts: " + fixture("golden/facts_full.yaml") + "\n"  // the same again
      "  broken:\n    facts: broken.yaml\n"                                 // adds nothing
      "  labB:\n    libvirt: test://" + fixture("lab/hostB.xml") + "\n"
      "  other:\n    libvirt: qemu+ssh://nowhere.invalid/system\n");      // never connected
  const Inventory inv = load_inventory(inv_path);
  BOOST_TEST(known_vm_names(inv) ==
                 (std::vector<std::string>{"web1", "db1", "legacy1", "media1", "erp1", "lb1", "test1"}),
             boost::test_tools::per_element());
}
