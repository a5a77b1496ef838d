#include "report/collect_report.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace preflight {

std::string collected_text(std::size_t total, const std::vector<std::string>& failed, const std::string& dir) {
  if (failed.empty()) return fmt::format("collected {} hosts into {}", total, dir);
  return fmt::format("collected {} of {} hosts into {}; failed: {}", total - failed.size(), total, dir,
                     join(failed, "; "));
}

}  // namespace preflight
