#pragma once
// Parsing YAML text with errors in the project's form: "<origin>:<line>:<col>:
// malformed YAML: <what>; <hint>".
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

namespace preflight {

// "<origin>:<line>:<col>" of a yaml-cpp mark (1-based); just origin when the mark is unset.
std::string yaml_location(const std::string& origin, const YAML::Mark& mark);

// The first document of a YAML stream, and where a second one starts (unset when
// there is none): what YAML::LoadAll tells, without its endless loop on streams
// such as ",". Throws YAML::Exception for malformed YAML as yaml-cpp does, and Error
// "<origin>:<line>:<col>: malformed YAML: unexpected 'c'; <hint>" where no document
// can start.
struct YamlDocuments {
  YAML::Node first;  // null for an empty stream
  std::optional<YAML::Mark> second;
};
YamlDocuments load_yaml_documents(const std::string& text, const std::string& origin, const std::string& hint);

// One YAML document; throws Error naming origin, line and column, with `hint`. Also
// refused: a second document, a key given twice in a map, nesting deeper than 64
// levels, more than 1,000,000 nodes once aliases are expanded, a scalar above 1 MiB
// (core/input_limits.hpp).
YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint);

// load_yaml's refusal of text that is not UTF-8, alone.
void check_yaml_text(const std::string& text, const std::string& origin, const std::string& hint);

// The depth and node limits of load_yaml alone, for a reader that checks duplicate
// keys itself (with the key's path in its message).
void check_yaml_limits(const YAML::Node& root, const std::string& origin, const std::string& hint);

}  // namespace preflight
