#include <boost/test/unit_test.hpp>

#include "estimate/precopy.hpp"

using namespace preflight;

namespace {
constexpr uint64_t MiB = 1024ull * 1024;
constexpr uint64_t GiB = 1024 * MiB;
constexpr double kMiBs = 1024.0 * 1024.0;

// A guest of `memory` with `used` holding data, over a link of `mib_s` MiB/s.
PrecopyInput guest(uint64_t memory, std::optional<uint64_t> used, double dirty_mib_s, double mib_s,
                   double downtime_s = 0.3) {
  PrecopyInput in;
  in.memory_bytes = memory;
  in.used_bytes = used;
  in.dirty_bytes_per_s = dirty_mib_s * kMiBs;
  in.link.bits_per_s = mib_s * kMiBs * 8;
  in.max_downtime_s = downtime_s;
  return in;
}

double sum_of_rounds(const MoveEstimate& e) {
  double s = 0;
  for (const PrecopyRound& r : e.rounds) s += r.seconds;
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(quick_migration_matches_the_seed_table) {
  // Seed 003: 512 MB over 1 GbE about 8 s, 1 GB about 16 s, 4 GB over 4 Gb FC about 16 s.
  BOOST_TEST(estimate_quick(512 * MiB, {1e9}).total_s == 8.6, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).total_s == 17.2, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(4 * GiB, {4e9}).total_s == 17.2, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).downtime_s == estimate_quick(1 * GiB, {1e9}).total_s);
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).rounds.empty());
}

BOOST_AUTO_TEST_CASE(an_idle_guest_costs_its_used_memory_over_the_link_plus_qemus_fixed_costs) {
  // 4 GiB of which 1 GiB holds data, 100 MiB/s: the data takes 10.24 s, the zero pages
  // 3 GiB at the zero-page rate, then one sync finds nothing dirty.
  const PrecopyInput in = guest(4 * GiB, 1 * GiB, 0, 100);
  const MoveEstimate e = estimate_precopy(in);
  const double expected =
      in.costs.setup_s + 1024.0 / 100 + 3.0 * GiB / in.costs.zero_page_bytes_per_s + in.costs.switchover_s;
  BOOST_TEST(e.converges);
  BOOST_TEST(e.total_s == expected, boost::test_tools::tolerance(0.01));
  BOOST_TEST(e.downtime_s <= in.max_downtime_s + in.costs.switchover_s);
  BOOST_TEST(e.bytes_sent == 1.0 * GiB, boost::test_tools::tolerance(1e-6));
  // The sync at the start, the one when the bitmap ran low (the pass outlasts QEMU's
  // first 100 ms bandwidth window, so the threshold is no longer 0), the one at the pause.
  BOOST_TEST(e.iterations == 3);
}

BOOST_AUTO_TEST_CASE(an_idle_guest_sent_before_the_first_bandwidth_window_closes_syncs_twice) {
  // 64 MiB that hold no data pass at the zero-page rate in well under 100 ms: QEMU's
  // threshold is still 0, so the empty bitmap never counts as "below" it -- no sync
  // while running, the move completes, and the pause syncs. libvirt reports 2.
  const PrecopyInput in = guest(64 * MiB, 0, 0, 100);
  BOOST_TEST_REQUIRE(64.0 * MiB / in.costs.zero_page_bytes_per_s < 0.1);
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST(e.converges);
  BOOST_TEST(e.iterations == 2);
  // Zero pages passed over in 300 ms instead: the pass outlasts the window, 3.
  PrecopyInput slow = in;
  slow.costs.zero_page_bytes_per_s = 64.0 * MiB / 0.3;
  BOOST_TEST(estimate_precopy(slow).iterations == 3);
}

BOOST_AUTO_TEST_CASE(syncs_follow_qemus_threshold_slice_by_slice) {
  // 1000 MiB, all data, capped at 100 MiB/s (10 MiB per 100 ms slice) on a 1000 MiB/s
  // link, limit 940 ms (threshold 94 MiB once the bandwidth is measured), guest
  // dirtying 25 MiB/s (2.5 MiB per slice). By QEMU's rule -- sync when what is left
  // drops below 94 MiB, pause when it is still below after the sync:
  //   pass 1: 1000 -> 88 MiB left after 9.12 s; sync 2 adds 228 MiB dirtied: 316
  //   pass 2:  316 -> 88 after 2.28 s; sync 3 adds 57: 145
  //   pass 3:  145 -> 85 after 0.6 s;  sync 4 adds 15: 100
  //   pass 4:  100 -> 90 after 0.1 s;  sync 5 adds 2.5: 92.5 < 94, pause; sync 6.
  PrecopyInput in = guest(1000 * MiB, 1000 * MiB, 25, 1000, 0.94);
  in.bandwidth_cap_bytes_per_s = 100 * kMiBs;
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST(e.converges);
  BOOST_TEST(e.iterations == 6);
  BOOST_TEST_REQUIRE(e.rounds.size() == 5u);
  const double seconds[] = {9.12, 2.28, 0.6, 0.1};
  for (size_t i = 0; i < 4; ++i) BOOST_TEST(e.rounds[i].seconds == seconds[i], boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.rounds[4].bytes == 92.5 * MiB, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.total_s == in.costs.setup_s + 12.1 + 92.5 / 1000 + in.costs.switchover_s,
             boost::test_tools::tolerance(1e-6));
  // Limit 960 ms (threshold 96 MiB): a sync can leave just too much, and the next
  // slice brings one more sync:
  //   pass 1: 1000 -> 92 MiB after 9.08 s; sync 2 adds 227: 319
  //   pass 2:  319 -> 92 after 2.27 s; sync 3 adds 56.75: 148.75
  //   pass 3: 148.75 -> 88.75 after 0.6 s; sync 4 adds 15: 103.75
  //   pass 4: 103.75 -> 93.75 after 0.1 s; sync 5 adds 2.5: 96.25, not below 96
  //   pass 5: 96.25 -> 86.25 after 0.1 s; sync 6 adds 2.5: 88.75, pause; sync 7.
  in.max_downtime_s = 0.96;
  const MoveEstimate more = estimate_precopy(in);
  BOOST_TEST(more.iterations == 7);
  BOOST_TEST_REQUIRE(more.rounds.size() == 6u);
  const double more_seconds[] = {9.08, 2.27, 0.6, 0.1, 0.1};
  for (size_t i = 0; i < 5; ++i) BOOST_TEST(more.rounds[i].seconds == more_seconds[i], boost::test_tools::tolerance(1e-6));
  BOOST_TEST(more.rounds[5].bytes == 88.75 * MiB, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(memory_in_use_not_known_counts_all_of_it) {
  const MoveEstimate unknown = estimate_precopy(guest(4 * GiB, std::nullopt, 0, 100));
  const MoveEstimate all = estimate_precopy(guest(4 * GiB, 4 * GiB, 0, 100));
  const MoveEstimate some = estimate_precopy(guest(4 * GiB, 1 * GiB, 0, 100));
  BOOST_TEST(unknown.total_s == all.total_s);
  BOOST_TEST(some.total_s < all.total_s);
  BOOST_TEST(all.total_s > 4096.0 / 100);
}

BOOST_AUTO_TEST_CASE(the_estimate_grows_with_the_dirty_rate) {
  double last_total = 0, last_sent = 0;
  for (double dirty : {0.0, 5.0, 10.0, 20.0, 40.0, 60.0, 80.0}) {
    const MoveEstimate e = estimate_precopy(guest(2 * GiB, 1 * GiB, dirty, 100));
    BOOST_TEST_CONTEXT("dirty " << dirty << " MiB/s") {
      BOOST_TEST(e.converges);
      BOOST_TEST(e.total_s >= last_total);
      BOOST_TEST(e.bytes_sent >= last_sent);
    }
    last_total = e.total_s;
    last_sent = e.bytes_sent;
  }
}

BOOST_AUTO_TEST_CASE(pre_copy_converges_iff_the_guest_dirties_slower_than_the_stream) {
  for (double dirty : {50.0, 90.0, 99.0})
    BOOST_TEST(estimate_precopy(guest(1 * GiB, 1 * GiB, dirty, 100)).converges, "dirty " << dirty);
  for (double dirty : {101.0, 150.0, 400.0})
    BOOST_TEST(!estimate_precopy(guest(1 * GiB, 1 * GiB, dirty, 100)).converges, "dirty " << dirty);
}

BOOST_AUTO_TEST_CASE(a_move_that_converges_pauses_no_longer_than_the_limit) {
  for (double limit : {0.05, 0.3, 2.5})
    for (double dirty : {0.0, 10.0, 50.0, 90.0}) {
      const PrecopyInput in = guest(1 * GiB, 512 * MiB, dirty, 100, limit);
      const MoveEstimate e = estimate_precopy(in);
      BOOST_TEST_CONTEXT("limit " << limit << " s, dirty " << dirty << " MiB/s") {
        BOOST_TEST(e.converges);
        BOOST_TEST(e.downtime_s <= limit + in.costs.switchover_s + 1e-9);
      }
    }
}

BOOST_AUTO_TEST_CASE(a_higher_downtime_limit_never_makes_the_move_longer) {
  const MoveEstimate tight = estimate_precopy(guest(1 * GiB, 1 * GiB, 60, 100, 0.05));
  const MoveEstimate loose = estimate_precopy(guest(1 * GiB, 1 * GiB, 60, 100, 2.0));
  BOOST_TEST(loose.total_s <= tight.total_s);
  BOOST_TEST(loose.iterations <= tight.iterations);
  BOOST_TEST(loose.downtime_s >= tight.downtime_s);
}

BOOST_AUTO_TEST_CASE(the_bandwidth_cap_is_the_stream_rate_when_below_the_link) {
  PrecopyInput in = guest(1 * GiB, 1 * GiB, 0, 1000);
  const MoveEstimate fast = estimate_precopy(in);
  in.bandwidth_cap_bytes_per_s = 100 * kMiBs;
  BOOST_TEST(stream_bytes_per_s(in) == 100 * kMiBs);
  const MoveEstimate capped = estimate_precopy(in);
  // All of it at the cap, but for the last <= 300 ms worth, sent at the link's speed once paused.
  BOOST_TEST(capped.total_s <= in.costs.setup_s + 1024.0 / 100 + in.costs.switchover_s + 1e-9);
  BOOST_TEST(capped.total_s >= in.costs.setup_s + 1024.0 / 100 - 0.3);
  BOOST_TEST(capped.total_s > fast.total_s);
  in.bandwidth_cap_bytes_per_s = 10000 * kMiBs;  // above the link: the link
  BOOST_TEST(stream_bytes_per_s(in) == 1000 * kMiBs);
}

BOOST_AUTO_TEST_CASE(the_stop_and_copy_is_not_rate_limited) {
  // QEMU lifts the cap once the guest is paused: what is left crosses at the link's speed.
  PrecopyInput in = guest(1 * GiB, 1 * GiB, 20, 1000, 2.0);
  in.bandwidth_cap_bytes_per_s = 50 * kMiBs;
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST_REQUIRE(e.converges);
  BOOST_TEST(e.rounds.back().seconds == e.rounds.back().bytes / (1000 * kMiBs), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_stalled_pre_copy_is_said_and_priced_as_a_forced_stop) {
  const PrecopyInput in = guest(1 * GiB, 512 * MiB, 150, 100);
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST(!e.converges);
  // Everything the guest keeps dirty goes while it is paused: its 512 MiB at 100 MiB/s.
  BOOST_TEST(e.downtime_s == 5.12 + in.costs.switchover_s, boost::test_tools::tolerance(0.05));
  BOOST_TEST(e.total_s > e.downtime_s);
  BOOST_TEST(e.rounds.back().stop_and_copy);
}

BOOST_AUTO_TEST_CASE(auto_converge_throttles_a_guest_that_outpaces_the_stream_until_it_converges) {
  PrecopyInput in = guest(1 * GiB, 512 * MiB, 150, 100);
  in.auto_converge = true;
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST(e.converges);
  // 150 MiB/s must be slowed below 100 MiB/s: a throttle above one third.
  BOOST_TEST(e.throttle > 1.0 / 3);
  BOOST_TEST(e.downtime_s <= in.max_downtime_s + in.costs.switchover_s);
}

BOOST_AUTO_TEST_CASE(post_copy_switches_after_the_first_pass_and_pauses_only_for_the_switch) {
  PrecopyInput in = guest(1 * GiB, 512 * MiB, 150, 100);
  in.postcopy = true;
  const MoveEstimate e = estimate_precopy(in);
  BOOST_TEST(e.postcopy);
  BOOST_TEST(e.converges);
  BOOST_TEST(e.downtime_s == in.costs.switchover_s);
  // The first pass (512 MiB), then what was dirtied meanwhile is pulled: at most 512 MiB more.
  BOOST_TEST(e.total_s > 5.12);
  BOOST_TEST(e.total_s < in.costs.setup_s + 2 * 5.12 + 1.0);
}

BOOST_AUTO_TEST_CASE(the_rounds_add_up_to_the_total) {
  for (double dirty : {0.0, 30.0, 90.0, 150.0}) {
    const PrecopyInput in = guest(2 * GiB, 1 * GiB, dirty, 100);
    const MoveEstimate e = estimate_precopy(in);
    BOOST_TEST_CONTEXT("dirty " << dirty << " MiB/s") {
      BOOST_TEST_REQUIRE(!e.rounds.empty());
      BOOST_TEST(e.rounds.back().stop_and_copy);
      for (size_t i = 0; i + 1 < e.rounds.size(); ++i) BOOST_TEST(!e.rounds[i].stop_and_copy);
      BOOST_TEST(in.costs.setup_s + sum_of_rounds(e) + in.costs.switchover_s == e.total_s,
                 boost::test_tools::tolerance(1e-9));
      BOOST_TEST(e.rounds.back().seconds + in.costs.switchover_s == e.downtime_s, boost::test_tools::tolerance(1e-9));
    }
  }
}

BOOST_AUTO_TEST_CASE(no_link_no_estimate) {
  const MoveEstimate e = estimate_precopy(guest(1 * GiB, 1 * GiB, 0, 0));
  BOOST_TEST(!e.converges);
  BOOST_TEST(e.rounds.empty());
}
