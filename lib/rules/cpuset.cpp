#include "rules/cpuset.hpp"

#include <cctype>
#include <sstream>

#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"

namespace preflight {
namespace {

// A CPU number up to kMaxCpuId: a cpuset like 0-4294967295 is refused, not enumerated.
unsigned number(const std::string& s, const std::string& whole) {
  if (const auto v = parse_unsigned(s, kMaxCpuId)) return static_cast<unsigned>(*v);
  if (parse_unsigned(s))
    throw Error("cpuset '" + quote_input(whole) + "': CPU " + quote_input(s) + " is above the limit of " +
                std::to_string(kMaxCpuId) + " (libvirt's cpusets hold 16384 CPUs)");
  throw Error("cpuset '" + quote_input(whole) + "': '" + quote_input(s) + "' is not a CPU number");
}

}  // namespace

std::set<unsigned> parse_cpuset(const std::string& text) {
  std::set<unsigned> add, remove;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.erase(0, 1);
    if (item.empty()) continue;
    auto& target = item[0] == '^' ? remove : add;
    if (item[0] == '^') item.erase(0, 1);
    const auto dash = item.find('-');
    if (dash == std::string::npos) {
      target.insert(number(item, text));
      continue;
    }
    const unsigned lo = number(item.substr(0, dash), text), hi = number(item.substr(dash + 1), text);
    if (lo > hi) throw Error("cpuset '" + text + "': range " + item + " runs backwards");
    for (unsigned i = lo; i <= hi; ++i) target.insert(i);
  }
  for (unsigned r : remove) add.erase(r);
  return add;
}

}  // namespace preflight
