#include "rules/cpuset.hpp"

#include <cctype>
#include <sstream>

#include "core/error.hpp"

namespace preflight {
namespace {

unsigned number(const std::string& s, const std::string& whole) {
  if (s.empty() || s.size() > 6) throw Error("cpuset '" + whole + "': '" + s + "' is not a CPU number");
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) throw Error("cpuset '" + whole + "': '" + s + "' is not a CPU number");
  return static_cast<unsigned>(std::stoul(s));
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
