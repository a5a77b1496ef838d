// The pure half of measuring a guest: libvirt's domain statistics (as
// virDomainListGetStats gives them) read into a dirty rate and the memory in use.
#include <boost/test/unit_test.hpp>

#include "collect/guest_activity.hpp"

using namespace preflight;

BOOST_AUTO_TEST_CASE(a_finished_calculation_gives_the_rate_in_bytes_per_second) {
  // What `virsh domstats --dirtyrate` printed for the lab's rate:16 guest.
  const DomainStats s = {{"dirtyrate.calc_status", 2},
                         {"dirtyrate.calc_start_time", 1764524000},
                         {"dirtyrate.calc_period", 5},
                         {"dirtyrate.megabytes_per_second", 14}};
  const Measured<double> m = dirty_rate_from_stats(s, "lab1");
  BOOST_TEST_REQUIRE(m.value.has_value());
  BOOST_TEST(*m.value == 14.0 * 1024 * 1024);
  BOOST_TEST(m.from == "measured by libvirt on lab1 (dirty-rate calculation, 5 s)");
}

BOOST_AUTO_TEST_CASE(a_calculation_still_measuring_or_never_started_gives_no_rate) {
  for (double status : {0.0, 1.0}) {
    const Measured<double> m =
        dirty_rate_from_stats({{"dirtyrate.calc_status", status}, {"dirtyrate.megabytes_per_second", 0}}, "lab1");
    BOOST_TEST(!m.value.has_value());
    BOOST_TEST(m.from == "libvirt on lab1 reported no finished dirty-rate calculation");
  }
  BOOST_TEST(!dirty_rate_from_stats({}, "lab1").value.has_value());
}

BOOST_AUTO_TEST_CASE(memory_in_use_is_qemus_resident_memory_at_most_the_guests) {
  // KiB, as libvirt reports them: 38 MiB resident of a 256 MiB guest.
  const Measured<uint64_t> idle =
      used_memory_from_stats({{"balloon.current", 262144}, {"balloon.rss", 39632}}, "lab1");
  BOOST_TEST_REQUIRE(idle.value.has_value());
  BOOST_TEST(*idle.value == 39632ull * 1024);
  BOOST_TEST(idle.from.find("resident memory of the guest's QEMU on lab1 (libvirt balloon.rss") == 0);
  // QEMU's own memory on top of a guest that wrote all of its memory: capped at the guest's.
  const Measured<uint64_t> full =
      used_memory_from_stats({{"balloon.current", 262144}, {"balloon.rss", 289528}}, "lab1");
  BOOST_TEST(*full.value == 262144ull * 1024);
  const Measured<uint64_t> none = used_memory_from_stats({{"balloon.current", 262144}}, "lab1");
  BOOST_TEST(!none.value.has_value());
  BOOST_TEST(none.from == "libvirt on lab1 reported no resident memory (balloon.rss)");
}
