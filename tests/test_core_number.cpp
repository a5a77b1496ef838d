// core/number.hpp: the one strict reading of numbers from input.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/number.hpp"

using namespace preflight;

BOOST_AUTO_TEST_CASE(unsigned_numbers_are_the_whole_text_and_within_range) {
  BOOST_TEST(parse_unsigned("0").value() == 0u);
  BOOST_TEST(parse_unsigned("18446744073709551615").value() == UINT64_MAX);
  BOOST_TEST(!parse_unsigned("18446744073709551616"));  // 2^64: refused, not wrapped
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "nan", "inf", "0x10", "12abc", "١"})
    BOOST_TEST(!parse_unsigned(bad), bad);
  BOOST_TEST(parse_unsigned("0x1F", UINT64_MAX, Radix::decimal_or_hex).value() == 31u);
  BOOST_TEST(parse_unsigned("31", UINT64_MAX, Radix::decimal_or_hex).value() == 31u);
  BOOST_TEST(!parse_unsigned("0x", UINT64_MAX, Radix::decimal_or_hex));
  BOOST_TEST(!parse_unsigned("0x-1", UINT64_MAX, Radix::decimal_or_hex));
  BOOST_TEST(!parse_unsigned("0x100000000", 0xffffffff, Radix::decimal_or_hex));
  BOOST_TEST(parse_unsigned("16383", 16383).value() == 16383u);
  BOOST_TEST(!parse_unsigned("16384", 16383));
}

BOOST_AUTO_TEST_CASE(real_numbers_are_finite_and_within_range) {
  BOOST_TEST(parse_real("2.5", 0, 10).value() == 2.5);
  BOOST_TEST(parse_real("1e3", 0, 1e4).value() == 1000.0);
  BOOST_TEST(parse_real("-1", -2, 0).value() == -1.0);
  for (const char* bad : {"", "nan", "NaN", "inf", "-inf", "infinity", "1e400", "+1", " 1", "1 ", "1,5", "0x1p3"})
    BOOST_TEST(!parse_real(bad, -1e300, 1e300), bad);
  BOOST_TEST(!parse_real("1e-300", 0.001, 10000));
  BOOST_TEST(!parse_real("-1", 0, 10));
}

BOOST_AUTO_TEST_CASE(the_throwing_forms_name_the_place_the_range_and_the_text) {
  try {
    require_unsigned("nan", 65535, "f.xml", "<signature family='...'>", "fix it");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()) == "f.xml: <signature family='...'> must be a whole number from 0 to 65535, not 'nan'; fix it");
  }
  try {
    require_real("1e-300", 0.001, 10000, "inv.yaml:4:16", "'link_gbit' (Gbit/s)");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()) == "inv.yaml:4:16: 'link_gbit' (Gbit/s) must be a number from 0.001 to 10000, not '1e-300'");
  }
}

BOOST_AUTO_TEST_CASE(quoted_input_stays_short_and_printable) {
  BOOST_TEST(quote_input("abc") == "abc");
  BOOST_TEST(quote_input(std::string("a\xff\n", 3)) == "a\\xff\\x0a");
  const std::string big(10 << 20, 'x');
  BOOST_TEST(quote_input(big) == std::string(40, 'x') + "... (10485760 bytes)");
}

BOOST_AUTO_TEST_CASE(sums_products_and_casts_never_wrap) {
  BOOST_TEST(!checked_add(UINT64_MAX, 1));
  BOOST_TEST(checked_add(1, 2).value() == 3u);
  BOOST_TEST(!checked_mul(1ULL << 54, 1024));  // 2^54 KiB in bytes
  BOOST_TEST(checked_mul(1ULL << 53, 1024).value() == 1ULL << 63);
  BOOST_TEST(!to_unsigned(std::numeric_limits<double>::infinity()));
  BOOST_TEST(!to_unsigned(std::nan("")));
  BOOST_TEST(!to_unsigned(-1.0));
  BOOST_TEST(!to_unsigned(1e300));
  BOOST_TEST(to_unsigned(262144.0).value() == 262144u);
}
