#pragma once
// A counter guest on lab host 1 and both hosts' hypervisors, for the lab's
// migration tests. Include from test files only (after <boost/test/unit_test.hpp>).
#include <chrono>
#include <string>
#include <utility>

#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/migrator.hpp"
#include "move/migration_request.hpp"
#include "support/lab.hpp"

namespace preflight::test {

// A go verdict, a re-check that keeps giving `v`, and a Migrator polling the job
// every 100 ms: what the lab's Migrator tests run with.
inline const MoveVerdict kGo{MoveVerdictKind::go, {}};
inline Recheck same(const MoveVerdict& v) {
  return [v] { return v; };
}
inline Migrator::Options fast_polling() {
  Migrator::Options o;
  o.poll_interval = std::chrono::milliseconds(100);
  return o;
}

// Moving `vm` from lab host 1 to lab host 2, as the lab tests name them.
inline MigrationRequest lab_request(const Lab& lab, const std::string& vm) {
  MigrationRequest r;
  r.vm = vm;
  r.source = "lab-host1";
  r.destination = "lab-host2";
  r.destination_peer_uri = lab.host(2).peer_uri;
  return r;
}

struct LabGuest {
  Lab& lab = *shared_lab();
  LibvirtHypervisor host1{lab.host(1).control_uri};
  LibvirtHypervisor host2{lab.host(2).control_uri};
  std::string vm;

  // Starts `name` (transient) on host 1, from scratch, and waits until it prints.
  // dirty: it rewrites 32 MiB continuously; disk: a qcow2 path on host 1.
  LabGuest(std::string name, bool dirty, const std::string& disk = "") : vm(std::move(name)) {
    host1.destroy(vm);
    host2.destroy(vm);
    host1.start(lab.guest_xml(vm, dirty, disk));
    BOOST_TEST_REQUIRE(lab.wait_counter_above(1, vm, 2, 30), vm << " never printed on host 1");
  }
  ~LabGuest() {
    try {
      host1.destroy(vm);
      host2.destroy(vm);
    } catch (...) {
    }
  }
  LabGuest(const LabGuest&) = delete;
  LabGuest& operator=(const LabGuest&) = delete;

  MigrationRequest request() const { return lab_request(lab, vm); }
  // The guest runs on host 1 only, and keeps counting there.
  void check_still_on_source() {
    BOOST_TEST(to_string(host1.state(vm)) == "running");
    BOOST_TEST(to_string(host2.state(vm)) == "absent");
    auto values = lab.serial_counter(1, vm);
    BOOST_TEST_REQUIRE(!values.empty());
    BOOST_TEST(lab.wait_counter_above(1, vm, values.back() + 2, 10), vm << " stopped counting on host 1");
  }
  // After a move: the guest counts on host 2, continuing from where it was on
  // host 1 (its first lines there follow the last line on host 1), not restarted.
  void check_continues_on_destination() {
    BOOST_TEST(to_string(host2.state(vm)) == "running");
    BOOST_TEST(to_string(host1.state(vm)) == "absent");
    const auto on_source = lab.serial_counter(1, vm);
    BOOST_TEST_REQUIRE(!on_source.empty());
    const long last_on_source = on_source.back();
    BOOST_TEST_REQUIRE(lab.wait_counter_above(2, vm, last_on_source + 3, 15), vm << " does not count on host 2");
    const auto on_destination = lab.serial_counter(2, vm);
    BOOST_TEST_REQUIRE(on_destination.size() >= 2u);
    // A restarted guest counts from 0 again. No upper bound: under load host 1's
    // serial log can lag what the guest printed before the switch-over (seen: the
    // last line read there 1, the second line on host 2 15).
    BOOST_TEST(on_destination[1] > last_on_source);
  }
};

}  // namespace preflight::test
