// The policy file, its rule ids checked against the shipped rule catalog.
#include "fuzz_target.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const preflight::RuleCatalog catalog = preflight::load_rule_catalog(PREFLIGHT_RULES_DIR);
  const std::string text = preflight::fuzz::text_of(data, size);
  preflight::fuzz::refused_with_error_only([&] { (void)preflight::parse_policy(text, "fuzz-policy.yaml", &catalog); });
  return 0;
}
