#include "report/baseline_report.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace preflight {

std::string baseline_summary_text(const Baseline& b, size_t cpus, const CpuCatalog& catalog) {
  constexpr size_t kShown = 20;  // thousands of <cpu> inputs: name the first ones only
  // libvirt's migratable='no' features (invtsc, xsaves) are counted here as virsh
  // cpu-baseline prints them; `preflight matrix` and `--migratable` leave them out,
  // and each count says so where they are among the features.
  const CpuFeatureSet fixed = catalog.non_migratable();
  const auto migratable_note = [&](const CpuFeatureSet& s) {
    const CpuFeatureSet off = s & fixed;
    if (off.empty()) return std::string();
    return fmt::format(", {} migratable: {} not", (s - fixed).count(), join(catalog.names(off), " "));
  };
  std::string out = fmt::format("baseline {} of {} CPUs: x86-64-v{} ({} features{})\n", b.cpu.model->name, cpus,
                                b.level, b.features.count(), migratable_note(b.features));
  for (size_t i = 0; i < b.given_up.size() && i < kShown; ++i) {
    const std::vector<std::string> names = catalog.names(b.given_up.features(i));
    const std::string note = migratable_note(b.given_up.features(i));
    out += fmt::format("  {} gives up {}{}: {}\n", b.given_up.host(i), names.size(),
                       note.empty() ? "" : " (" + note.substr(2) + ")", names.empty() ? "nothing" : join(names, " "));
  }
  if (b.given_up.size() > kShown)
    out += fmt::format("  ... and {} more hosts (-o json lists all)\n", b.given_up.size() - kShown);
  return out;
}

}  // namespace preflight
