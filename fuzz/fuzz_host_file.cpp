// Any file given as a HOST argument: its kind told by content (facts YAML,
// capabilities, domain capabilities, <cpu> elements, domain XML, libcpuid dump,
// libvirt CPU data), then read as that kind.
#include "collect/host_source.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::hosts_from_text(text, "fuzz-host"); });
  return 0;
}
