#include "core/number.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace preflight {

std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max, Radix radix) {
  const bool hex = radix == Radix::decimal_or_hex && text.size() > 2 && text[0] == '0' &&
                   (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = text.substr(hex ? 2 : 0);
  // from_chars takes no '+' or space, but would take a '-' for a signed type only; check anyway.
  if (digits.empty() || digits[0] == '-' || digits[0] == '+') return std::nullopt;
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
  if (ec != std::errc() || end != digits.data() + digits.size() || v > max) return std::nullopt;
  return v;
}

std::optional<double> parse_real(std::string_view text, double min, double max) {
  if (text.empty() || text[0] == '+') return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
  // from_chars reads "nan" and "inf"; out of range (1e400, 1e-400) is an error too.
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  if (!(v >= min && v <= max)) return std::nullopt;
  return v;
}

uint64_t require_unsigned(std::string_view text, uint64_t max, const std::string& where, std::string_view what,
                          const std::string& hint, Radix radix) {
  if (const auto v = parse_unsigned(text, max, radix)) return *v;
  throw Error(fmt::format("{}: {} must be a whole number from 0 to {}, not '{}'", where, what, max, quote_input(text)),
              hint);
}

double require_real(std::string_view text, double min, double max, const std::string& where, std::string_view what,
                    const std::string& hint) {
  if (const auto v = parse_real(text, min, max)) return *v;
  throw Error(
      fmt::format("{}: {} must be a number from {} to {}, not '{}'", where, what, min, max, quote_input(text)),
      hint);
}

std::string quote_input(std::string_view text) {
  constexpr size_t kShown = 40;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
    else out += fmt::format("\\x{:02x}", c);
  }
  if (text.size() > kShown) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<uint64_t> to_unsigned(double d) {
  if (!std::isfinite(d) || d < 0 || d >= 18446744073709551616.0) return std::nullopt;
  return static_cast<uint64_t>(d);
}

}  // namespace preflight
