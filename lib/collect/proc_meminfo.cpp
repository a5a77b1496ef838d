#include "collect/proc_meminfo.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight {

std::map<std::string, uint64_t> parse_meminfo(std::string_view text, const std::string& origin) {
  std::map<std::string, uint64_t> out;
  const std::vector<std::string> lines = split(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string line = trim(lines[n]);
    if (line.empty()) continue;
    const auto colon = line.find(':');
    std::string value = colon == std::string::npos ? std::string() : trim(line.substr(colon + 1));
    if (value.size() > 2 && value.ends_with("kB")) value = trim(value.substr(0, value.size() - 2));
    const std::optional<uint64_t> parsed = parse_unsigned(value);
    const uint64_t v = parsed.value_or(0);
    if (colon == std::string::npos || colon == 0 || !parsed)
      throw Error(origin + ":" + std::to_string(n + 1) + ": expected 'Name: number [kB]', got '" + line + "'");
    out[line.substr(0, colon)] = v;
  }
  return out;
}

}  // namespace preflight
