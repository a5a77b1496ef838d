// The inventory file, through both of load_inventory's readers.
#include "fuzz_target.hpp"
#include "inventory/inventory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::inventory_from_yaml_subset(text, "/fuzz/inventory.yaml"); });
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::inventory_from_yaml_cpp(text, "/fuzz/inventory.yaml"); });
  return 0;
}
