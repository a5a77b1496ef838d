#include "report/matrix_report.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace preflight {
namespace {

const char* kGreen = "\033[32m";
const char* kYellow = "\033[33m";
const char* kRed = "\033[1;31m";

std::string host_list(const CpuMatrix& m, const std::vector<size_t>& ids, size_t max_listed) {
  std::string s;
  for (size_t k = 0; k < ids.size() && k < max_listed; ++k) s += (s.empty() ? "" : ", ") + m.hosts[ids[k]].host;
  if (ids.size() > max_listed) s += fmt::format(", +{} more (-o json lists all)", ids.size() - max_listed);
  return s;
}

std::string model_of(const HostCpu& h) { return h.model.empty() ? "-" : h.model; }
std::string vendor_of(const HostCpu& h) { return h.vendor_name.empty() ? "unknown" : h.vendor_name; }

nlohmann::json or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

bool has_groups(const CpuMatrix& m) {
  return std::any_of(m.classes.begin(), m.classes.end(), [](const CpuClass& c) { return c.hosts.size() > 1; });
}

std::string grid(const CpuMatrix& m, bool color) {
  const size_t n = m.classes.size();
  const std::string corner = "FROM \\ TO";
  size_t first = corner.size(), col = std::string("vendor").size();
  for (size_t c = 0; c < n; ++c) first = std::max(first, class_label(m, c).size()), col = std::max(col, class_label(m, c).size());
  std::string header = fmt::format("{:<{}}", corner, first);
  for (size_t c = 0; c < n; ++c) header += fmt::format("  {:<{}}", class_label(m, c), col);
  header.erase(header.find_last_not_of(' ') + 1);
  std::string out = header + "\n";
  for (size_t a = 0; a < n; ++a) {
    std::string row = fmt::format("{:<{}}", class_label(m, a), first);
    for (size_t b = 0; b < n; ++b) {
      const std::string cell = a == b ? "-" : matrix_cell(m.pair(a, b));
      const std::string padded = fmt::format("{:<{}}", cell, col);
      const char* code = a == b ? nullptr : cell == "ok" ? kGreen : cell == "vendor" ? kRed : kYellow;
      row += "  " + (color && code ? std::string(code) + cell + "\033[0m" + padded.substr(cell.size()) : padded);
    }
    row.erase(row.find_last_not_of(' ') + 1);  // no trailing blanks
    out += row + "\n";
  }
  return out;
}

// One line per class (per host when every class has one): what it keeps in its
// vendor's baseline.
std::string destinations_text(const CpuPairCounts& d) {
  std::string s = fmt::format("ok to {}", d.ok);
  if (d.missing) s += fmt::format(", lacks features on {}", d.missing);
  if (d.unknown) s += fmt::format(", ? on {}", d.unknown);
  if (d.vendor) s += fmt::format(", vendor on {}", d.vendor);
  return s;
}

std::string class_table(const CpuMatrix& m, size_t max_listed) {
  const bool groups = has_groups(m);
  const bool counted = m.classes.size() > kMaxGridClasses;  // no grid: each class's destinations instead
  const size_t shown = std::min(m.classes.size(), kMaxGridClasses);
  size_t hw = groups ? 5 : 4, vw = 6, mw = 5;
  for (size_t c = 0; c < shown; ++c) {
    const HostCpu& h = m.representative(c);
    hw = std::max(hw, class_label(m, c).size());
    vw = std::max(vw, vendor_of(h).size());
    mw = std::max(mw, model_of(h).size());
  }
  // IN BASELINE is padded when a column follows it that did not before (counted).
  auto in_baseline = [&](size_t c) {
    const size_t own = m.classes[c].features.count(), kept = m.baseline_of(m.classes[c].hosts.front()).features.count();
    return fmt::format("{} (gives up {})", kept, own - kept);
  };
  size_t bw = 0;
  for (size_t c = 0; counted && c < shown; ++c) bw = std::max(bw, std::max(in_baseline(c).size(), size_t{11}));
  std::string out = fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>8}  {:<{}}{}{}\n", groups ? "CLASS" : "HOST", hw, "VENDOR",
                                vw, "MODEL", mw, "FEATURES", "IN BASELINE", bw,
                                counted ? "  DESTINATION CLASSES" : "", groups ? "  HOSTS" : "");
  for (size_t c = 0; c < shown; ++c) {
    const HostCpu& h = m.representative(c);
    std::string line = fmt::format("  {:<{}}  {:<{}}  {:<{}}  {:>8}  {:<{}}", class_label(m, c), hw, vendor_of(h), vw,
                                   model_of(h), mw, m.classes[c].features.count(), in_baseline(c), bw);
    if (counted) line += "  " + destinations_text(m.row_counts[c]);
    if (groups)
      line += fmt::format("  {} host{}: {}", m.classes[c].hosts.size(), m.classes[c].hosts.size() == 1 ? "" : "s",
                          host_list(m, m.classes[c].hosts, max_listed));
    out += line + "\n";
  }
  if (shown < m.classes.size())
    out += fmt::format("  +{} more classes (-o json lists all)\n", m.classes.size() - shown);
  return out;
}

}  // namespace

std::string matrix_cell(const CpuMatrixPair& p) {
  if (p.vendors_differ()) return "vendor";
  if (p.ok()) return "ok";
  if (p.undecided()) return "?";
  return std::to_string(p.missing);
}

std::string class_label(const CpuMatrix& m, size_t c) {
  const CpuClass& k = m.classes[c];
  return k.hosts.size() == 1 ? m.hosts[k.hosts.front()].host : fmt::format("C{}", c + 1);
}

std::string render_matrix_text(const CpuMatrix& m, bool color, size_t max_listed) {
  const bool groups = has_groups(m);
  std::string out =
      "CPU compatibility: can a guest that sees the FROM host's whole CPU (host-model, host-passthrough) move to TO?\n";
  if (groups)
    out += fmt::format("{} hosts in {} CPU classes (hosts with an identical guest-visible CPU); a class of one host "
                       "is named by its host\n",
                       m.hosts.size(), m.classes.size());
  if (m.classes.size() <= kMaxGridClasses) {
    out += "\n" + grid(m, color);
    out += "\n"
           "  ok      TO offers every feature of FROM's CPU (libvirt's migratable features; invtsc and such left out)\n"
           "  N       TO lacks N of them (preflight compare FROM TO, or -o json, names them)\n"
           "  ?       none known to be missing, but one side's facts cannot tell some (a leaf or MSR not collected)\n"
           "          or its CPU vendor (a CPU description naming none)\n"
           "  vendor  different CPU vendors: no guest can move between them\n"
           "  -       the same host";
    out += groups ? " or class (its hosts' guests move freely among them)\n" : "\n";
  } else {
    out += fmt::format("\n{} ordered pairs of classes: {} ok, {} lack features, {} cannot be told (?), {} across CPU "
                       "vendors. {} classes are too many for a grid: each class's line counts the classes its "
                       "guests can move to (ok) and cannot; name hosts for a grid of them (preflight matrix "
                       "HOST...), or -o html for a heatmap\n",
                       m.pair_count(), m.counts.ok, m.counts.missing, m.counts.unknown, m.counts.vendor,
                       m.classes.size());
  }
  out += groups ? "\nclasses, and what each keeps in the baseline of its vendor's hosts (the CPU all of them can offer):\n"
                : "\nhosts, and what each keeps in the baseline of its vendor's hosts (the CPU all of them can offer):\n";
  out += class_table(m, max_listed);
  for (const auto& g : m.baselines)
    out += fmt::format("baseline of the {} hosts ({}): {}, {} features\n", g.vendor, host_list(m, g.hosts, max_listed),
                       g.model.empty() ? "no named model" : g.model, g.features.count());
  if (m.baselines.size() > 1) out += "no baseline spans all hosts: their CPU vendors differ\n";
  return out;
}

nlohmann::json matrix_json(const CpuMatrix& m, const CpuCatalog& catalog, size_t max_pair_classes) {
  nlohmann::json classes = nlohmann::json::array(), hosts = nlohmann::json::array(), pairs = nlohmann::json::array(),
                 baselines = nlohmann::json::array();
  for (size_t c = 0; c < m.classes.size(); ++c) {
    const HostCpu& h = m.representative(c);
    const VendorBaseline& g = m.baseline_of(m.classes[c].hosts.front());
    const size_t own = m.classes[c].features.count();
    nlohmann::json names = nlohmann::json::array();
    for (size_t i : m.classes[c].hosts) names.push_back(m.hosts[i].host);
    classes.push_back({{"class", c + 1},
                       {"label", class_label(m, c)},
                       {"vendor", or_null(h.vendor_name)},
                       {"model", or_null(h.model)},
                       {"origin", h.origin == CpuOrigin::cpuid ? "cpuid" : "libvirt_cpu"},
                       {"feature_count", own},
                       {"hosts", names},
                       {"baseline",
                        {{"vendor", g.vendor},
                         {"model", or_null(g.model)},
                         {"feature_count", g.features.count()},
                         {"gives_up", own - g.features.count()}}},
                       {"destinations",
                        {{"ok", m.row_counts[c].ok},
                         {"missing", m.row_counts[c].missing},
                         {"unknown", m.row_counts[c].unknown},
                         {"vendor", m.row_counts[c].vendor}}}});
  }
  for (size_t i = 0; i < m.hosts.size(); ++i) hosts.push_back({{"host", m.hosts[i].host}, {"class", m.class_of[i] + 1}});
  const size_t n = m.classes.size();
  const bool listed = n <= max_pair_classes;
  for (size_t a = 0; listed && a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const CpuMatrixPair p = m.pair(a, b);
      nlohmann::json missing = nlohmann::json::array();
      for (const auto& f : explain_pair(m, p, catalog))
        missing.push_back({{"feature", f.name}, {"cause", cause_text(f.cause)}, {"detail", f.detail}});
      nlohmann::json j = {{"from", class_label(m, p.from)},
                          {"to", class_label(m, p.to)},
                          {"from_class", p.from + 1},
                          {"to_class", p.to + 1},
                          {"status", p.vendors_differ() ? "vendor" : p.ok() ? "ok" : p.undecided() ? "unknown" : "missing"},
                          {"missing_count", missing.size()},
                          {"missing", missing}};
      if (!p.same_vendor) j["vendors"] = {or_null(m.representative(p.from).vendor_name), or_null(m.representative(p.to).vendor_name)};
      pairs.push_back(std::move(j));
    }
  for (const auto& g : m.baselines) {
    nlohmann::json names = nlohmann::json::array();
    for (size_t i : g.hosts) names.push_back(m.hosts[i].host);
    baselines.push_back(
        {{"vendor", g.vendor}, {"hosts", names}, {"model", or_null(g.model)}, {"feature_count", g.features.count()}});
  }
  nlohmann::json out = {{"classes", classes}, {"hosts", hosts}, {"baselines", baselines}};
  if (listed) {
    out["pairs"] = std::move(pairs);
  } else {
    out["pairs_omitted"] = {
        {"count", m.pair_count()},
        {"reason", fmt::format("{} classes are more than {}: their pairs with the missing features would be too large",
                               n, max_pair_classes)},
        {"hint", "each class's destinations count its pairs; name hosts for their pairs: preflight matrix HOST... "
                 "-o json"}};
  }
  return out;
}

}  // namespace preflight
