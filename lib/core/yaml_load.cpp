#include "core/yaml_load.hpp"

#include "core/error.hpp"

namespace preflight {

std::string yaml_location(const std::string& origin, const YAML::Mark& mark) {
  if (mark.line < 0) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(yaml_location(origin, e.mark) + ": malformed YAML: " + e.msg, hint);
  }
}

}  // namespace preflight
