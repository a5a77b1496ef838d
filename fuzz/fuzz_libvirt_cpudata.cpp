// libvirt's raw CPU data XML (<cpudata>, libvirt's tests/cputestdata).
#include "collect/libvirt_cpudata.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::cpu_facts_from_libvirt_cpudata(text, "fuzz.xml"); });
  return 0;
}
