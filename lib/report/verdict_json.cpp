#include "report/verdict_json.hpp"

#include "core/schema_version.hpp"
#include "report/finding_text.hpp"

namespace preflight {

namespace {

// [{"kind": "network", "name": "prod"}, ...]; [] when the finding names none.
nlohmann::json subjects_json(const std::vector<Subject>& subjects) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : subjects) out.push_back({{"kind", to_string(s.kind)}, {"name", s.name}});
  return out;
}

}  // namespace

nlohmann::json verdict_to_json(const Verdict& v) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : v.results)
    results.push_back({{"rule", f.rule},
                       {"status", to_string(f.status)},
                       {"message", finding_message(f)},
                       {"evidence", f.evidence},
                       {"remediation", f.remediation},
                       {"subjects", subjects_json(f.subjects)}});
  nlohmann::json doc = {{"schema_version", kJsonSchemaVersion},
                        {"verdict", to_string(v.verdict)},
                        {"vm", v.vm},
                        {"source", v.source},
                        {"destination", v.destination},
                        {"results", results},
                        {"estimate",
                         {{"total_s", v.estimate.total_s}, {"downtime_ms", v.estimate.downtime_ms}, {"assumed", v.estimate.assumed}}}};
  // A VM defined on no host yet (a domain XML): no source, and nothing migrates.
  if (v.source.empty()) doc["source"] = nullptr, doc.erase("estimate");
  return doc;
}

std::string render_json(const Verdict& v) { return verdict_to_json(v).dump(2) + "\n"; }

}  // namespace preflight
