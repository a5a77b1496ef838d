// libvirt storage pool XML (pool-dumpxml) and volume XML (vol-dumpxml).
#include "collect/pool_xml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_pool_xml(text, "fuzz.xml"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_volume_xml(text, "fuzz.xml"); });
  return 0;
}
