// One rule file (rules/*.yaml) into an empty catalog.
#include "fuzz_target.hpp"
#include "rules/rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] {
    preflight::RuleCatalog catalog;
    preflight::parse_rule_file(text, "fuzz-rules.yaml", catalog);
  });
  return 0;
}
