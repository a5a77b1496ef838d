#pragma once
// A YAML node as JSON: scalars become numbers or booleans when they read as one,
// else strings; maps and sequences keep their shape.
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace preflight {

nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace preflight
