// virsh domcapabilities XML: the guest offer, and the host facts it fills.
#include "collect/capabilities_xml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_guest_offer(text, "fuzz.xml"); });
  preflight::fuzz::refused_with_error_only([&] {
    preflight::HostFacts h;
    preflight::parse_domcaps_xml(text, "fuzz.xml", h);
  });
  return 0;
}
