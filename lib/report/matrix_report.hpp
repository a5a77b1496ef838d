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

// Classes beyond which the text shows no grid (a row would be wider than ~800
// columns) but each class's destinations counted, and lists only the first classes.
constexpr size_t kMaxGridClasses = 100;
// Classes beyond which -o json lists no pairs (10,000 distinct CPUs are 10^8 pairs,
// gigabytes with their features): each class's destinations are counted instead.
constexpr size_t kMaxJsonPairClasses = 300;

// Multi-line text; ANSI colour only when `color` is true (cells stay aligned). Host
// lists longer than `max_listed` end with "+N more (-o json lists all)". Up to
// kMaxGridClasses classes: the grid and every class; beyond: no grid, the first
// kMaxGridClasses classes with the counts of their destinations, "+N more classes".
std::string render_matrix_text(const CpuMatrix& m, bool color, size_t max_listed = 8);

// {classes[{class, label, vendor, model, origin, feature_count, hosts[..],
// baseline{vendor, model, feature_count, gives_up}, destinations{ok, missing,
// unknown, vendor}}], hosts[{host, class}], pairs[{from, to, from_class, to_class,
// status: ok|missing|unknown|vendor, missing_count, missing[{feature, cause,
// detail}]}], baselines[{vendor, hosts, model, feature_count}]}; `catalog` as given
// to compute_cpu_matrix (the features of each pair are named from it). Beyond
// `max_pair_classes` classes "pairs" is left out and "pairs_omitted" {count,
// reason, hint} says so (the classes' destinations still count every pair).
nlohmann::json matrix_json(const CpuMatrix& m, const CpuCatalog& catalog,
                           size_t max_pair_classes = kMaxJsonPairClasses);

}  // namespace preflight
