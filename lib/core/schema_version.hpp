#pragma once
// The version of every JSON document preflight prints (verdicts, comparisons,
// baselines, masks, matrices, estimates, rules, migration events, errors): the
// top-level "schema_version". It goes up when a key changes meaning or goes away,
// not when a key is added.
#include <nlohmann/json.hpp>

namespace preflight {

inline constexpr int kJsonSchemaVersion = 1;

// `doc` with "schema_version" set; a document that is not an object is returned as is.
inline nlohmann::json with_schema_version(nlohmann::json doc) {
  if (doc.is_object()) doc["schema_version"] = kJsonSchemaVersion;
  return doc;
}

}  // namespace preflight
