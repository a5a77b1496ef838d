#pragma once
// Parsing YAML text with errors in the project's form: "<origin>:<line>:<col>:
// malformed YAML: <what>; <hint>".
#include <string>

#include <yaml-cpp/yaml.h>

namespace preflight {

// "<origin>:<line>:<col>" of a yaml-cpp mark (1-based); just origin when the mark is unset.
std::string yaml_location(const std::string& origin, const YAML::Mark& mark);

// One YAML document; throws Error naming origin, line and column, with `hint`.
YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint);

}  // namespace preflight
