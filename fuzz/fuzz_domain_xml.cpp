// A libvirt domain XML (virsh dumpxml) into VmFacts.
#include "collect/domain_xml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_domain_xml(text, "fuzz.xml"); });
  return 0;
}
