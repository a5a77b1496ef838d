// A file of <cpu> elements (virsh cpu-baseline input), both readings of it, against
// the system's cpu_map.
#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_file.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const preflight::CpuCatalog catalog = preflight::CpuCatalog::load();
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] {
    std::string in_place = text;
    (void)preflight::baseline_inputs_from_pieces(in_place, "fuzz", catalog);
  });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::cpus_from_document(text, "fuzz", catalog); });
  return 0;
}
