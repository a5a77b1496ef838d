#include "collect/sysfs_cpulist.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

unsigned parse_id(std::string_view s, std::string_view text, const std::string& origin) {
  const auto v = parse_unsigned(s, kMaxCpuId);
  if (!v)
    throw Error(origin + ": malformed cpulist '" + quote_input(text) + "'",
                "expected ids and ranges like 0-3,8, ids up to " + std::to_string(kMaxCpuId));
  return static_cast<unsigned>(*v);
}

}  // namespace

std::vector<unsigned> parse_cpulist(std::string_view text, const std::string& origin) {
  std::vector<unsigned> ids;
  const std::string t = trim(text);
  if (t.empty()) return ids;
  for (const std::string& part : split(t, ',')) {
    const auto dash = part.find('-');
    if (dash == std::string::npos) {
      ids.push_back(parse_id(part, t, origin));
      continue;
    }
    const unsigned lo = parse_id(std::string_view(part).substr(0, dash), t, origin);
    const unsigned hi = parse_id(std::string_view(part).substr(dash + 1), t, origin);
    if (hi < lo || hi - lo > 65536)
      throw Error(origin + ": malformed cpulist '" + t + "'", "a range must be low-high");
    for (unsigned i = lo; i <= hi; ++i) ids.push_back(i);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string format_cpulist(std::vector<unsigned> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += '-' + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace preflight
