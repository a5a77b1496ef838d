#pragma once
// The two readers behind facts_from_yaml (facts_yaml.hpp), for tests and benchmarks.
//
// facts_from_yaml tries the subset reader first: the YAML that facts_to_yaml writes
// is parsed by core/yaml_subset.hpp, ~20x faster than yaml-cpp. When the text is
// outside that subset, or the subset reader refuses it, yaml-cpp's reader decides:
// odd input behaves as it always did, and every error is in yaml-cpp's reader's
// words. Both readers share the field table and every check of the facts model.
#include <optional>
#include <string>

#include "facts/host_facts.hpp"

namespace preflight {

// nullopt when `text` is outside the subset; throws Error (as facts_from_yaml does)
// when it is inside but not valid facts.
std::optional<HostFacts> facts_from_yaml_subset(const std::string& text, const std::string& origin);

// The yaml-cpp reader alone.
HostFacts facts_from_yaml_cpp(const std::string& text, const std::string& origin);

}  // namespace preflight
