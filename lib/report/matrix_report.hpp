#pragma once
// `preflight matrix` output, by CPU class: the grid of compatibility (rows FROM,
// columns TO; a class of one host is shown by its host's name, a larger one as
// C1, C2...), the classes with their hosts, each class's share of its vendor's
// baseline; and the JSON form with the missing feature names.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cpu/cpu_matrix.hpp"

namespace preflight {

// "ok", the number of features TO lacks, "?" or "vendor".
std::string matrix_cell(const CpuMatrixPair& p);

// The class's name in the grid: its host's name when it has one host, else "C<k>"
// (k from 1).
std::string class_label(const CpuMatrix& m, size_t c);

// Multi-line text; ANSI colour only when `color` is true (cells stay aligned). Host
// lists longer than `max_listed` end with "+N more (-o json lists all)".
std::string render_matrix_text(const CpuMatrix& m, bool color, size_t max_listed = 8);

// {classes[{class, label, vendor, model, origin, feature_count, hosts[..],
// baseline{vendor, model, feature_count, gives_up}}], hosts[{host, class}],
// pairs[{from, to, from_class, to_class, status: ok|missing|unknown|vendor,
// missing_count, missing[{feature, cause, detail}]}], baselines[{vendor, hosts,
// model, feature_count}]}. `facts` and `catalog` as given to compute_cpu_matrix
// (the features of each pair are named from them).
nlohmann::json matrix_json(const CpuMatrix& m, const std::vector<HostFacts>& facts, const CpuCatalog& catalog);

}  // namespace preflight
