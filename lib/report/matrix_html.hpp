#pragma once
// `preflight matrix -o html`: one self-contained page (inline CSS and JS; it loads
// nothing from anywhere) with the class-to-class heatmap (rows FROM, columns TO,
// labelled as in the text grid), each cell coloured by how many features TO lacks,
// vendor mismatches and undecided pairs marked apart, a legend and a caption; a
// cell's features on hover; each class's hosts (the first `max_listed` in view, all
// of them one click away) and what it gives up in its vendor's baseline.
// Pure: returns the page.
#include <string>

#include "cpu/cpu_matrix.hpp"

namespace preflight {

// The fill of a cell, also its CSS class: "self" (the diagonal), "ok", "vendor"
// (different or unknown vendors), "unknown" (nothing known to be missing, some
// feature cannot be told), or "m1".."m5" for 1-2, 3-5, 6-10, 11-20, 21+ features
// known to be missing.
std::string heatmap_cell_class(const CpuMatrixPair& p);

// Classes beyond which the heatmap shows only the kMaxHeatmapClasses classes with the
// most hosts (a table of 10^8 cells renders in no browser); the page says so.
constexpr size_t kMaxHeatmapClasses = 300;

std::string render_matrix_html(const CpuMatrix& m, const CpuCatalog& catalog, size_t max_listed = 8);

}  // namespace preflight
