#pragma once
// Numbers read from input -- YAML scalars, XML attributes and text, command-line
// values -- parsed strictly in one place. The whole text is the number: no spaces,
// no trailing characters, no '+', no sign on an unsigned, no NaN or infinity; and it
// is range-checked, so nothing wraps, nothing becomes a silent zero, and no float is
// cast to an integer it does not fit.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preflight {

enum class Radix {
  decimal,         // "31"
  decimal_or_hex,  // "31" or "0x1f" / "0X1F"
};

// The unsigned integer `text` in [0, max]; nullopt when it is not one or is above max.
std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max = UINT64_MAX,
                                       Radix radix = Radix::decimal);

// A finite decimal number ("10", "2.5", "1e3", "-1") in [min, max]; nullopt for NaN,
// infinities, anything else, and values outside the range.
std::optional<double> parse_real(std::string_view text, double min, double max);

// The same, throwing Error "<where>: <what> must be a whole number from 0 to <max>,
// not '<text>'" (resp. "a number from <min> to <max>") with `hint`.
uint64_t require_unsigned(std::string_view text, uint64_t max, const std::string& where, std::string_view what,
                          const std::string& hint = {}, Radix radix = Radix::decimal);
double require_real(std::string_view text, double min, double max, const std::string& where, std::string_view what,
                    const std::string& hint = {});

// Input text as it is quoted in a message: at most 40 characters (then "..." and the
// full length), bytes outside printable ASCII as \xHH. A 10 MB value stays one line.
std::string quote_input(std::string_view text);

// a + b, a * b; nullopt when the result does not fit in 64 bits.
std::optional<uint64_t> checked_add(uint64_t a, uint64_t b);
std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b);

// A double as an unsigned integer (truncated toward zero) when it is finite, not
// negative and below 2^64; nullopt otherwise (the cast would be undefined).
std::optional<uint64_t> to_unsigned(double d);

}  // namespace preflight
