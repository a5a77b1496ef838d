#include "report/baseline_report.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace preflight {

std::string baseline_summary_text(const Baseline& b, size_t cpus, const CpuCatalog& catalog) {
  constexpr size_t kShown = 20;  // thousands of <cpu> inputs: name the first ones only
  std::string out = fmt::format("baseline {} of {} CPUs: x86-64-v{} ({} features)\n", b.cpu.model->name, cpus,
                                b.level, b.features.count());
  for (size_t i = 0; i < b.given_up.size() && i < kShown; ++i) {
    const std::vector<std::string> names = catalog.names(b.given_up[i].features);
    out += fmt::format("  {} gives up {}: {}\n", b.given_up[i].host, names.size(),
                       names.empty() ? "nothing" : join(names, " "));
  }
  if (b.given_up.size() > kShown)
    out += fmt::format("  ... and {} more hosts (-o json lists all)\n", b.given_up.size() - kShown);
  return out;
}

}  // namespace preflight
