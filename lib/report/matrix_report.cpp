#include "report/matrix_report.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace preflight {
namespace {

const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kRed = "\033[1;31m";

std::string host_list(const CpuMatrix& m, const std::vector<size_t>& ids) {
  std::string s;
  for (size_t i : ids) s += (s.empty() ? "" : ", ") + m.hosts[i].host;
  return s;
}

std::string model_of(const HostCpu& h) { return h.model.empty() ? "-" : h.model; }

nlohmann::json or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

}  // namespace

std::string matrix_cell(const CpuMatrixPair& p) {
  if (!p.same_vendor) return "vendor";
  if (p.missing.empty()) return "ok";
  if (p.undecided()) return "?";
  return std::to_string(p.missing.size() - p.unknown);
}

std::string render_matrix_text(const CpuMatrix& m, bool color) {
  const size_t n = m.hosts.size();
  const std::string corner = "FROM \\ TO";
  size_t first = corner.size(), col = std::string("vendor").size();
  for (const auto& h : m.hosts) first = std::max(first, h.host.size()), col = std::max(col, h.host.size());
  std::string out =
      "CPU compatibility: can a guest that sees the FROM host's whole CPU (host-model, host-passthrough) move to TO?\n\n";
  std::string header = fmt::format("{:<{}}", corner, first);
  for (const auto& h : m.hosts) header += fmt::format("  {:<{}}", h.host, col);
  header.erase(header.find_last_not_of(' ') + 1);
  out += header + "\n";
  for (size_t a = 0; a < n; ++a) {
    std::string row = fmt::format("{:<{}}", m.hosts[a].host, first);
    for (size_t b = 0; b < n; ++b) {
      const std::string cell = a == b ? "-" : matrix_cell(m.pair(a, b));
      const std::string padded = fmt::format("{:<{}}", cell, col);
      const char* code = a == b ? nullptr : cell == "ok" ? kGreen : cell == "vendor" ? kRed : kYellow;
      row += "  " + (color && code ? std::string(code) + cell + "\033[0m" + padded.substr(cell.size()) : padded);
    }
    // No trailing blanks.
    row.erase(row.find_last_not_of(' ') + 1);
    out += row + "\n";
  }
  out += "\n"
         "  ok      TO offers every feature of FROM's CPU (libvirt's migratable features; invtsc and such left out)\n"
         "  N       TO lacks N of them (preflight compare FROM TO, or -o json, names them)\n"
         "  ?       none known to be missing, but one side's facts cannot tell some (a leaf or MSR not collected)\n"
         "  vendor  different CPU vendors: no guest can move between them\n"
         "  -       the same host\n";

  out += "\nhosts, and what each keeps in the baseline of its vendor's hosts (the CPU all of them can offer):\n";
  size_t hw = 4, vw = 6, mw = 5;
  for (const auto& h : m.hosts) {
    hw = std::max(hw, h.host.size());
    vw = std::max(vw, h.vendor_name.empty() ? 7 : h.vendor_name.size());
    mw = std::max(mw, model_of(h).size());
  }
  out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>8}  {}\n", "HOST", hw, "VENDOR", vw, "MODEL", mw, "FEATURES",
                     "IN BASELINE");
  for (size_t i = 0; i < n; ++i) {
    const HostCpu& h = m.hosts[i];
    const VendorBaseline& g = m.baseline_of(i);
    const size_t own = m.guest_features(i).count(), kept = g.features.count();
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>8}  {} (gives up {})\n", h.host, hw,
                       h.vendor_name.empty() ? "unknown" : h.vendor_name, vw, model_of(h), mw, own, kept, own - kept);
  }
  for (const auto& g : m.baselines)
    out += fmt::format("baseline of the {} hosts ({}): {}, {} features\n", g.vendor, host_list(m, g.hosts),
                       g.model.empty() ? "no named model" : g.model, g.features.count());
  if (m.baselines.size() > 1)
    out += "no baseline spans all hosts: their CPU vendors differ\n";
  return out;
}

nlohmann::json matrix_json(const CpuMatrix& m) {
  nlohmann::json hosts = nlohmann::json::array(), pairs = nlohmann::json::array(), baselines = nlohmann::json::array();
  for (size_t i = 0; i < m.hosts.size(); ++i) {
    const HostCpu& h = m.hosts[i];
    const VendorBaseline& g = m.baseline_of(i);
    const size_t own = m.guest_features(i).count();
    hosts.push_back({{"host", h.host},
                     {"vendor", or_null(h.vendor_name)},
                     {"model", or_null(h.model)},
                     {"origin", h.origin == CpuOrigin::cpuid ? "cpuid" : "libvirt_cpu"},
                     {"feature_count", own},
                     {"baseline",
                      {{"vendor", g.vendor},
                       {"model", or_null(g.model)},
                       {"feature_count", g.features.count()},
                       {"gives_up", own - g.features.count()}}}});
  }
  for (const auto& p : m.pairs) {
    nlohmann::json missing = nlohmann::json::array();
    for (const auto& f : p.missing)
      missing.push_back({{"feature", f.name}, {"cause", cause_text(f.cause)}, {"detail", f.detail}});
    nlohmann::json j = {{"from", m.hosts[p.from].host},
                        {"to", m.hosts[p.to].host},
                        {"status", !p.same_vendor      ? "vendor"
                                   : p.missing.empty() ? "ok"
                                   : p.undecided()     ? "unknown"
                                                       : "missing"},
                        {"missing_count", p.missing.size()},
                        {"missing", missing}};
    if (!p.same_vendor)
      j["vendors"] = {or_null(m.hosts[p.from].vendor_name), or_null(m.hosts[p.to].vendor_name)};
    pairs.push_back(std::move(j));
  }
  for (const auto& g : m.baselines) {
    nlohmann::json names = nlohmann::json::array();
    for (size_t i : g.hosts) names.push_back(m.hosts[i].host);
    baselines.push_back(
        {{"vendor", g.vendor}, {"hosts", names}, {"model", or_null(g.model)}, {"feature_count", g.features.count()}});
  }
  return {{"hosts", hosts}, {"pairs", pairs}, {"baselines", baselines}};
}

}  // namespace preflight
