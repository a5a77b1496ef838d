// libcpuid's raw CPUID dump (cpuid_tool --save): the leaves of every CPU, and the
// CPU facts with libcpuid's identification.
#include "collect/libcpuid_dump.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  (void)preflight::looks_like_libcpuid_dump(text);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_libcpuid_dump_cpus(text, "fuzz.txt"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::cpu_facts_from_libcpuid_dump(text, "fuzz.txt"); });
  return 0;
}
