#include <boost/test/unit_test.hpp>

#include "estimate/precopy.hpp"

using namespace preflight;

namespace {
constexpr uint64_t MiB = 1024ull * 1024;
constexpr uint64_t GiB = 1024 * MiB;
}  // namespace

BOOST_AUTO_TEST_CASE(quick_migration_matches_the_seed_table) {
  // Seed 003: 512 MB over 1 GbE about 8 s, 1 GB about 16 s, 4 GB over 4 Gb FC about 16 s.
  BOOST_TEST(estimate_quick(512 * MiB, {1e9}).total_s == 8.6, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).total_s == 17.2, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(4 * GiB, {4e9}).total_s == 17.2, boost::test_tools::tolerance(0.02));
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).downtime_s == estimate_quick(1 * GiB, {1e9}).total_s);
}

BOOST_AUTO_TEST_CASE(idle_guest_is_one_round_then_a_tiny_stop_and_copy) {
  const MoveEstimate e = estimate_precopy({4 * GiB, 0, {10e9}, 0.3, 30});
  BOOST_TEST(e.iterations == 1);
  BOOST_TEST(e.downtime_s == 0.0);
  BOOST_TEST(e.total_s == 4.0 * GiB * 8 / 10e9, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.converges);
}

BOOST_AUTO_TEST_CASE(rounds_shrink_geometrically_until_the_rest_fits_the_downtime) {
  // 8 GiB at 1 Gbit/s (~68.7 s a full round), dirtying 25 MB/s: each round is 1/5 of the last.
  const MoveEstimate e = estimate_precopy({8 * GiB, 25e6, {1e9}, 0.3, 30});
  BOOST_TEST(e.converges);
  BOOST_TEST(e.iterations == 4);  // 68.7, 13.7, 2.7, 0.55 s; then 0.11 s fits
  BOOST_TEST(e.downtime_s < 0.3);
  const double r0 = 8.0 * GiB * 8 / 1e9, q = 25e6 * 8 / 1e9;
  BOOST_TEST(e.downtime_s == r0 * q * q * q * q, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.total_s == r0 * (1 - q * q * q * q * q) / (1 - q), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_dirty_rate_above_the_link_never_converges) {
  const MoveEstimate e = estimate_precopy({2 * GiB, 200e6, {1e9}, 0.3, 30});
  BOOST_TEST(!e.converges);
  BOOST_TEST(e.downtime_s > 1.0);  // the whole memory, roughly, must go while paused
}

BOOST_AUTO_TEST_CASE(iteration_cap_forces_stop_and_copy) {
  // Dirtying at 99% of the link: shrinks too slowly; stops after the cap.
  const MoveEstimate e = estimate_precopy({1 * GiB, 0.99e9 / 8, {1e9}, 0.3, 5});
  BOOST_TEST(e.iterations == 5);
  BOOST_TEST(e.downtime_s > 0.3);
}

BOOST_AUTO_TEST_CASE(rounds_list_each_iteration_then_the_stop_and_copy) {
  const MoveEstimate e = estimate_precopy({8 * GiB, 25e6, {1e9}, 0.3, 30});
  BOOST_TEST(e.rounds.size() == static_cast<size_t>(e.iterations) + 1);
  BOOST_TEST(e.rounds.front().bytes == 8.0 * GiB);
  double total = 0;
  for (size_t i = 0; i < e.rounds.size(); ++i) {
    BOOST_TEST(e.rounds[i].stop_and_copy == (i + 1 == e.rounds.size()));
    BOOST_TEST(e.rounds[i].seconds == e.rounds[i].bytes * 8 / 1e9, boost::test_tools::tolerance(1e-9));
    if (i > 0) BOOST_TEST(e.rounds[i].bytes == e.rounds[i - 1].seconds * 25e6, boost::test_tools::tolerance(1e-9));
    total += e.rounds[i].seconds;
  }
  BOOST_TEST(e.rounds.back().seconds == e.downtime_s);
  BOOST_TEST(total == e.total_s, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(estimate_quick(1 * GiB, {1e9}).rounds.empty());
}
