// virsh capabilities XML: host facts, huge pages, domain types.
#include "collect/capabilities_xml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] {
    preflight::HostFacts h;
    preflight::parse_capabilities_xml(text, "fuzz.xml", h);
  });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::capabilities_hugepages(text, "fuzz.xml"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::capabilities_domain_types(text, "fuzz.xml"); });
  return 0;
}
