#include "collect/proc_cpuinfo.hpp"

#include "core/text.hpp"

namespace preflight {

std::vector<std::map<std::string, std::string>> parse_cpuinfo(std::string_view text) {
  std::vector<std::map<std::string, std::string>> blocks;
  bool in_block = false;
  for (const std::string& raw : split(text, '\n')) {
    const std::string line = trim(raw);
    if (line.empty()) {
      in_block = false;
      continue;
    }
    const auto colon = raw.find(':');
    if (colon == std::string::npos) continue;
    if (!in_block) {
      blocks.emplace_back();
      in_block = true;
    }
    blocks.back()[trim(std::string_view(raw).substr(0, colon))] = trim(std::string_view(raw).substr(colon + 1));
  }
  return blocks;
}

std::vector<std::string> split_words(std::string_view value) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

}  // namespace preflight
