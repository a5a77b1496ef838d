#include "rules/yaml_json.hpp"

#include <cctype>
#include <cfloat>
#include <cstdint>
#include <regex>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/yaml_load.hpp"

namespace preflight {
namespace {

// A plain scalar written as one number -- "-12", "3.5", "1e999" -- or YAML's special
// .inf/.nan forms (and the bare inf/nan strtod would take); "1.2.3" is text.
bool looks_numeric(const std::string& s) {
  static const std::regex number(R"(-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  static const std::regex special(R"([-+]?(\.?(inf|Inf|INF|infinity|Infinity)|\.?(nan|NaN|NAN)))");
  return std::regex_match(s, number) || std::regex_match(s, special);
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node, const std::string& origin) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = yaml_to_json(kv.second, origin);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : node) out.push_back(yaml_to_json(v, origin));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (const auto u = parse_unsigned(s, INT64_MAX)) return static_cast<int64_t>(*u);
      if (const auto u = parse_unsigned(s)) return *u;
      if (!s.empty() && s[0] == '-') {
        if (const auto u = parse_unsigned(std::string_view(s).substr(1), uint64_t{1} << 63))
          return static_cast<int64_t>(0 - *u);
      }
      const bool integer_form = std::regex_match(s, std::regex(R"(-?\d+)"));
      if (const auto d = parse_real(s, -DBL_MAX, DBL_MAX); d && !integer_form) return *d;
      if (looks_numeric(s))
        throw Error(yaml_location(origin, node.Mark()) + ": '" + quote_input(s) +
                        "' is not a finite number within 64 bits",
                    "write a plain number (e.g. 256 or 1.5), or quote it if it is text");
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace preflight
