// libvirt network XML (net-dumpxml), host interface XML (iface-dumpxml) and net node
// devices (nodedev-dumpxml).
#include "collect/network_xml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_network_xml(text, "fuzz.xml"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_interface_xml(text, "fuzz.xml"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_net_device_xml(text, "fuzz.xml"); });
  return 0;
}
