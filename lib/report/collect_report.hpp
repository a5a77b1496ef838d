#pragma once
// What `preflight collect --all -w DIR` says when it is done.
#include <cstddef>
#include <string>
#include <vector>

namespace preflight {

// "collected N hosts into DIR", or with `failed` (one "host: why" each)
// "collected K of N hosts into DIR; failed: a: why; b: why".
std::string collected_text(std::size_t total, const std::vector<std::string>& failed, const std::string& dir);

}  // namespace preflight
