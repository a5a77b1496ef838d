// Facts YAML (preflight collect's output): both readers (the fast subset and
// yaml-cpp), then the writer over what was read.
#include "facts/facts_yaml.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] {
    const preflight::HostFacts h = preflight::facts_from_yaml(text, "fuzz.yaml");
    (void)preflight::facts_to_yaml(h);
  });
  return 0;
}
