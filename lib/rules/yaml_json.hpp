#pragma once
// A YAML node as JSON: scalars become numbers or booleans when they read as one,
// else strings; maps and sequences keep their shape.
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace preflight {

// Numbers are read strictly (core/number.hpp): a whole number from -2^63 to 2^64-1
// or a finite decimal. Throws Error "<origin>:<line>:<col>: ..." for a plain scalar
// that is a number YAML-wise but not one of those -- .inf, .nan, 1e999, an integer
// beyond 64 bits -- so a limit in a rule file never becomes a silent default.
nlohmann::json yaml_to_json(const YAML::Node& node, const std::string& origin);

}  // namespace preflight
