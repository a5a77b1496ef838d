// `check VM DEST` without --from: the VM is looked for on every inventory host, and a
// host known only by a facts file that cannot hold the VM is not parsed
// (may_define_vm); the answer is the same as reading every host.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>

#include "check/check_run.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "facts/facts_yaml.hpp"
#include "inventory/inventory.hpp"
#include "support/error_of.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::fixture;

namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// The demo lab's three hosts as facts files, plus `decoys` copies of hostC under
// other names, in one inventory. hostA defines web1; hostC does not mention it.
struct FactsFleet {
  test::TempDir dir{"preflight-check-lookup"};
  std::string inventory;
  explicit FactsFleet(int decoys) {
    const Inventory lab = load_inventory(fixture("lab/preflight.yaml"));
    std::string inv = "hosts:\n";
    for (const auto& h : lab.hosts) {
      write(dir.path / (h.name + ".yaml"), facts_to_yaml(collect_inventory_host(h)));
      inv += "  " + h.name + ": {facts: " + h.name + ".yaml}\n";
    }
    const std::string c = read_file((dir.path / "hostC.yaml").string());
    BOOST_REQUIRE(c.find("web1") == std::string::npos);
    for (int i = 0; i < decoys; ++i) {
      const std::string name = "decoy" + std::to_string(i);
      write(dir.path / (name + ".yaml"), c);
      inv += "  " + name + ": {facts: " + name + ".yaml}\n";
    }
    inventory = (dir.path / "inventory.yaml").string();
    write(inventory, inv);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_facts_file_without_the_name_cannot_define_the_vm) {
  FactsFleet fleet(1);
  const Inventory inv = load_inventory(fleet.inventory);
  BOOST_TEST(may_define_vm(*inv.find("hostA"), "web1"));
  BOOST_TEST(!may_define_vm(*inv.find("decoy0"), "web1"));
  BOOST_TEST(!may_define_vm(*inv.find("hostA"), "no-such-vm"));
  // What the text cannot tell is left to the full read.
  BOOST_TEST(may_define_vm(*inv.find("decoy0"), "it's"));       // a name YAML may quote as 'it''s'
  BOOST_TEST(may_define_vm(*inv.find("decoy0"), "caf\xc3\xa9"));  // non-ASCII may be escaped
  // Only the whole name counts, however YAML writes it.
  InventoryHost text_host;
  text_host.name = "t";
  text_host.facts = (fleet.dir.path / "names.yaml").string();
  write(text_host.facts, "vms:\n  - name: web1-h00042\n  - name: 'web10'\n  - {name: xweb1}\n");
  BOOST_TEST(!may_define_vm(text_host, "web1"));
  for (const char* form : {"  - name: web1\n", "  - name: \"web1\"\n", "  - name: 'web1'\n", "  - {name: web1}\n",
                           "  - name: web1  # the web server\n", "  - [a,web1]\n"}) {
    write(text_host.facts, std::string("vms:\n") + form);
    BOOST_TEST(may_define_vm(text_host, "web1"), form);
  }
  InventoryHost live;
  live.name = "live";
  live.libvirt = "test:///default";
  BOOST_TEST(may_define_vm(live, "anything"));
  InventoryHost unreadable;
  unreadable.name = "gone";
  unreadable.facts = (fleet.dir.path / "missing.yaml").string();
  BOOST_TEST(may_define_vm(unreadable, "web1"));  // collecting it says why it cannot be read
}

BOOST_AUTO_TEST_CASE(the_vm_is_found_among_many_facts_hosts_as_on_the_live_lab) {
  FactsFleet fleet(40);
  const Inventory inv = load_inventory(fleet.inventory);
  const Inventory lab = load_inventory(fixture("lab/preflight.yaml"));
  const CheckSetup setup = load_check_setup(lab, {});
  const CheckRun run = run_check(inv, setup, "web1", "hostB", "");
  BOOST_REQUIRE(run.source != nullptr);
  BOOST_TEST(run.source->name == "hostA");
  BOOST_TEST(run.vm.name == "web1");
  // The same rows as with --from.
  const CheckRun from = run_check(inv, setup, "web1", "hostB", "hostA");
  BOOST_REQUIRE_EQUAL(run.verdict.results.size(), from.verdict.results.size());
  for (size_t i = 0; i < run.verdict.results.size(); ++i) {
    BOOST_TEST(run.verdict.results[i].rule == from.verdict.results[i].rule);
    BOOST_TEST((run.verdict.results[i].status == from.verdict.results[i].status));
  }
}

BOOST_AUTO_TEST_CASE(a_vm_found_nowhere_still_gets_a_suggestion_from_every_host) {
  FactsFleet fleet(5);
  const Inventory inv = load_inventory(fleet.inventory);
  const CheckSetup setup = load_check_setup(load_inventory(fixture("lab/preflight.yaml")), {});
  try {
    run_check(inv, setup, "web2", "hostB", "");
    BOOST_FAIL("web2 does not exist");
  } catch (const Error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("VM 'web2' not found on any inventory host") != std::string::npos, what);
    BOOST_TEST(what.find("did you mean 'web1'") != std::string::npos, what);
  }
}

BOOST_AUTO_TEST_CASE(a_vm_on_another_host_than_from_says_where_it_is) {
  const Inventory lab = load_inventory(fixture("lab/preflight.yaml"));
  const CheckSetup setup = load_check_setup(lab, {});
  const std::string e = test::error_of([&] { run_check(lab, setup, "web1", "hostB", "hostC"); });
  BOOST_TEST(e == "VM 'web1' is not on host 'hostC'; it is on hostA; check it from there: --from hostA, or leave "
                  "--from out");
}

BOOST_AUTO_TEST_CASE(the_known_vms_of_a_miss_are_listed_in_order) {
  const Inventory lab = load_inventory(fixture("lab/preflight.yaml"));
  const CheckSetup setup = load_check_setup(lab, {});
  const std::string e = test::error_of([&] { run_check(lab, setup, "nosuch", "hostB", ""); });
  const size_t at = e.find("known VMs: ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, e);
  std::vector<std::string> names;
  std::string rest = e.substr(at + 11);
  for (size_t pos; (pos = rest.find(", ")) != std::string::npos; rest = rest.substr(pos + 2)) names.push_back(rest.substr(0, pos));
  names.push_back(rest);
  BOOST_TEST(names.size() > 5u);
  BOOST_TEST(std::is_sorted(names.begin(), names.end()), e);
  BOOST_TEST((std::find(names.begin(), names.end(), "web1") != names.end()), e);
}
