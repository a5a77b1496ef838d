#pragma once
// `preflight matrix` output: the grid of CPU compatibility (rows FROM, columns TO)
// with a legend and each host's share of its vendor's baseline; and the JSON list
// of pairs with the missing feature names.
#include <string>

#include <nlohmann/json.hpp>

#include "cpu/cpu_matrix.hpp"

namespace preflight {

// "ok", the number of features TO lacks, or "vendor".
std::string matrix_cell(const CpuMatrixPair& p);

// Multi-line text; ANSI colour only when `color` is true (cells stay aligned).
std::string render_matrix_text(const CpuMatrix& m, bool color);

// {hosts[{host, vendor, model, origin, feature_count, baseline{vendor, model,
// feature_count, gives_up}}], pairs[{from, to, status: ok|missing|vendor,
// missing_count, missing[{feature, cause, detail}]}], baselines[{vendor, hosts,
// model, feature_count}]}
nlohmann::json matrix_json(const CpuMatrix& m);

}  // namespace preflight
