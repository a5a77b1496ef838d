// `preflight estimate` measuring a running guest on real libvirtd 9.0 + QEMU in the
// two-host lab (tests/lab/): the dirty rate from libvirt's dirty-rate calculation
// and the memory in use from its memory statistics, each said to be measured.
// Skipped, with the reason, where the lab cannot run.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "collect/guest_activity.hpp"
#include "support/lab_available.hpp"
#include "support/lab_guest.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::LabAvailable;
using preflight::test::LabGuest;
using preflight::test::run_preflight;
using preflight::test::TempDir;

BOOST_AUTO_TEST_SUITE(lab, *boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(a_guest_rewriting_half_its_memory_is_measured_dirtying_it) {
  LabGuest g("est-dirty", true);
  const GuestActivity a = measure_guest(g.lab.host(1).control_uri, "lab1", g.vm, 2, g.lab.accel() == "kvm");
  // It rewrites 32 of its 64 MiB all the time: sampled or counted, some of it is dirty.
  BOOST_TEST_REQUIRE(a.dirty_bytes_per_s.value.has_value(), a.dirty_bytes_per_s.from);
  BOOST_TEST(*a.dirty_bytes_per_s.value > 0.0);
  BOOST_TEST(a.dirty_bytes_per_s.from.find("measured by libvirt on lab1 (") == 0, a.dirty_bytes_per_s.from);
  BOOST_TEST_REQUIRE(a.used_bytes.value.has_value(), a.used_bytes.from);
  BOOST_TEST(*a.used_bytes.value > 32ull << 20);
  BOOST_TEST(*a.used_bytes.value <= 64ull << 20);
  // The guest survived the measurement (QEMU 7.2 under TCG ends it in dirty-bitmap mode).
  BOOST_TEST(g.lab.wait_counter_above(1, g.vm, g.lab.serial_counter(1, g.vm).back(), 30));
}

BOOST_AUTO_TEST_CASE(estimate_shows_the_measured_inputs_as_measured) {
  LabGuest g("est-cli", true);
  TempDir dir("preflight-estimate-lab");
  std::ofstream(dir.path / "inventory.yaml") << g.lab.inventory_yaml();
  const auto r = run_preflight({"--inventory", (dir.path / "inventory.yaml").string(), "estimate", g.vm, "lab2",
                                "--from", "lab1", "--measure-seconds", "1", "--bandwidth", "32", "-o", "json"});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["inputs"]["dirty_bytes_per_s"]["assumed"] == false);
  BOOST_TEST(j["inputs"]["used_bytes"]["assumed"] == false);
  BOOST_TEST(j["inputs"]["bandwidth_bytes_per_s"]["value"].get<double>() == 32.0 * 1024 * 1024);
  BOOST_TEST(j["assumed"] == nlohmann::json::array({"link"}));  // the lab inventory states no link_gbit
}

BOOST_AUTO_TEST_SUITE_END()
