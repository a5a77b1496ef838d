#include "report/matrix_html.hpp"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "report/matrix_report.hpp"

namespace preflight {
namespace {

// The colours, named once: the CSS variables, the legend and the cells use them.
// Greens to reds by features missing; vendor a purple outside that scale.
constexpr const char* kStyle = R"css(
:root { --self:#eeeeee; --ok:#1a9850; --m1:#a6d96a; --m2:#fee08b; --m3:#fdae61; --m4:#f46d43; --m5:#d73027;
        --unknown:#9ecae1; --vendor:#5e3c99; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 6px; }
.caption { max-width: 70em; margin: 4px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 8px 0 12px; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 5px; }
.sw { display: inline-block; width: 18px; height: 18px; border: 1px solid #999; text-align: center;
      font-size: 11px; line-height: 18px; color: #222; }
.scroll { overflow: auto; max-width: 100%; max-height: 85vh; border: 1px solid #ccc; display: inline-block; }
table.heat { border-collapse: collapse; font-size: 11px; }
.heat td { width: 24px; height: 24px; min-width: 24px; padding: 0; text-align: center; border: 1px solid #fff;
           cursor: default; }
.heat.dense td { width: 14px; height: 14px; min-width: 14px; font-size: 8px; }
.heat th { background: #fff; font-weight: normal; padding: 2px 4px; white-space: nowrap; }
.heat thead th { position: sticky; top: 0; z-index: 1; vertical-align: bottom; }
.heat thead th.col span { writing-mode: vertical-rl; transform: rotate(180deg); display: inline-block;
                          max-height: 10em; overflow: hidden; text-overflow: ellipsis; }
.heat tbody th { position: sticky; left: 0; text-align: left; max-width: 14em; overflow: hidden;
                 text-overflow: ellipsis; }
.heat thead th.corner { left: 0; z-index: 2; text-align: left; }
.heat th small { color: #777; }
.heat a { color: inherit; text-decoration: none; }
.self { background: var(--self); } .ok { background: var(--ok); color: #fff; }
.m1 { background: var(--m1); } .m2 { background: var(--m2); } .m3 { background: var(--m3); }
.m4 { background: var(--m4); color: #fff; } .m5 { background: var(--m5); color: #fff; }
.unknown { background: var(--unknown); } .vendor { background: var(--vendor); color: #fff; }
.heat td:hover { outline: 2px solid #000; outline-offset: -2px; }
#tip { position: absolute; z-index: 5; max-width: 36em; background: #fffff0; border: 1px solid #888;
       padding: 6px 8px; font-size: 12px; box-shadow: 2px 2px 6px rgba(0,0,0,.25); pointer-events: none; }
table.classes { border-collapse: collapse; }
.classes th, .classes td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.classes td.n { text-align: right; }
.classes tr:target { background: #ffffcc; }
.hosts { max-width: 60em; max-height: 20em; overflow: auto; font-size: 12px; }
summary { cursor: pointer; }
)css";

// Shows the features of the cell under the pointer; the data is the JSON block
// #pf-data: class labels and vendors, the feature names, each distinct set once
// (feature indexes in base 36), and per row one "missing/unknown" set id pair a cell.
constexpr const char* kScript = R"js(
(function () {
  var d = JSON.parse(document.getElementById('pf-data').textContent);
  var sets = d.sets.map(function (s) {
    return s.split(' ').map(function (x) { return d.features[parseInt(x, 36)]; });
  });
  var rows = d.cells.map(function (r) { return r.split(','); });
  var tip = document.getElementById('tip');
  function list(id) { return id ? sets[parseInt(id, 36)] : []; }
  function say(names) { return names.join(', '); }
  function text(td, a, b) {
    var from = d.labels[a], to = d.labels[b], k = td.className;
    if (k === 'self') return from + ': one class; its guests move freely among its hosts';
    var head = from + ' \u2192 ' + to + ': ';
    if (k === 'vendor')
      return head + 'different CPU vendors (' + d.vendors[a] + ' \u2192 ' + d.vendors[b] + '): no guest can move';
    if (k === 'ok') return head + 'ok, ' + to + ' offers every feature of ' + from + "'s CPU";
    var c = (rows[a][b] || '').split('/'), m = list(c[0]), u = list(c[1]), out = head;
    if (m.length) out += to + ' lacks ' + m.length + ' feature' + (m.length === 1 ? '' : 's') + ': ' + say(m);
    if (u.length) out += (m.length ? '; ' : 'none known to be missing; ') + 'cannot tell ' + u.length + ': ' + say(u);
    return out;
  }
  var heat = document.getElementById('heatmap');
  heat.addEventListener('mousemove', function (e) {
    var td = e.target.closest ? e.target.closest('td') : null;
    if (!td) { tip.hidden = true; return; }
    tip.textContent = text(td, td.parentNode.sectionRowIndex, td.cellIndex - 1);
    tip.hidden = false;
    tip.style.left = (e.pageX + 14) + 'px';
    tip.style.top = (e.pageY + 14) + 'px';
  });
  heat.addEventListener('mouseleave', function () { tip.hidden = true; });
})();
)js";

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

std::string vendor_of(const HostCpu& h) { return h.vendor_name.empty() ? "unknown" : h.vendor_name; }

std::string base36(size_t v) {
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;
  do {
    s.insert(s.begin(), digits[v % 36]);
    v /= 36;
  } while (v);
  return s;
}

// The hover data: each distinct feature set once, cells refer to them by index.
class HoverData {
 public:
  explicit HoverData(const CpuCatalog& catalog) : catalog_(catalog) {}

  // "" for an empty set, else the set's id in base 36.
  std::string id(const CpuFeatureSet& s) {
    if (s.empty()) return "";
    auto [it, fresh] = set_ids_.try_emplace(s, sets_.size());
    if (fresh) {
      std::string text;
      s.for_each([&](size_t f) {
        auto [fi, new_feature] = feature_ids_.try_emplace(f, features_.size());
        if (new_feature) features_.push_back(catalog_.features()[f].name);
        text += (text.empty() ? "" : " ") + base36(fi->second);
      });
      sets_.push_back(std::move(text));
    }
    return base36(it->second);
  }

  nlohmann::json json() const { return {{"features", features_}, {"sets", sets_}}; }

 private:
  const CpuCatalog& catalog_;
  std::map<CpuFeatureSet, size_t> set_ids_;
  std::map<size_t, size_t> feature_ids_;  // catalog id -> index into features_
  std::vector<std::string> features_;
  std::vector<std::string> sets_;
};

std::string legend() {
  struct Entry {
    const char* cls;
    const char* mark;
    const char* text;
  };
  const Entry entries[] = {
      {"ok", "ok", "ok: TO offers every feature of FROM's CPU"},
      {"m1", "2", "TO lacks 1-2 features"},
      {"m2", "5", "3-5"},
      {"m3", "9", "6-10"},
      {"m4", "15", "11-20"},
      {"m5", "40", "21 or more"},
      {"unknown", "?", "none known to be missing, but a feature one side's facts cannot tell could be"},
      {"vendor", "\xC3\x97", "different CPU vendors: no guest can move"},
      {"self", "", "the same class"},
  };
  std::string out = "<ul class=\"legend\">\n";
  for (const auto& e : entries)
    out += fmt::format("<li><span class=\"sw {}\">{}</span>{}</li>\n", e.cls, e.mark, esc(e.text));
  return out + "</ul>\n";
}

std::string cell_mark(const CpuMatrixPair& p) {
  if (p.vendors_differ()) return "\xC3\x97";  // U+00D7 multiplication sign
  if (p.ok()) return "ok";
  if (p.undecided()) return "?";
  return std::to_string(p.missing);
}

// The rows' and columns' order: by vendor, then fewest features first (older CPUs
// first, so that vendors form blocks and a row's cells grow redder to the right).
// Beyond kMaxHeatmapClasses classes, only the classes with the most hosts.
std::vector<size_t> display_order(const CpuMatrix& m) {
  std::vector<size_t> order(m.classes.size());
  for (size_t c = 0; c < order.size(); ++c) order[c] = c;
  if (order.size() > kMaxHeatmapClasses) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return m.classes[a].hosts.size() > m.classes[b].hosts.size(); });
    order.resize(kMaxHeatmapClasses);
    std::sort(order.begin(), order.end());
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const std::string va = vendor_of(m.representative(a)), vb = vendor_of(m.representative(b));
    if (va != vb) return va < vb;
    return m.classes[a].features.count() < m.classes[b].features.count();
  });
  return order;
}

std::string heatmap(const CpuMatrix& m, const CpuCatalog& catalog, const std::vector<size_t>& order, HoverData& hover,
                    std::vector<std::string>& cells) {
  const size_t n = order.size();
  std::string out = fmt::format("<div class=\"scroll\"><table id=\"heatmap\" class=\"heat{}\">\n<thead><tr>"
                                "<th class=\"corner\">FROM \\ TO</th>",
                                n > 60 ? " dense" : "");
  for (size_t c : order) {
    const std::string label = esc(class_label(m, c));
    out += fmt::format("<th class=\"col\" title=\"{}\"><span>{}</span></th>", label, label);
  }
  out += "</tr></thead>\n<tbody>\n";
  cells.assign(n, "");
  for (size_t row_at = 0; row_at < n; ++row_at) {
    const size_t a = order[row_at];
    const std::string label = esc(class_label(m, a));
    out += fmt::format("<tr><th title=\"{}\"><a href=\"#class-{}\">{}</a> <small>{}</small></th>", label, a + 1, label,
                       m.classes[a].hosts.size());
    std::string& row = cells[row_at];
    for (size_t col_at = 0; col_at < n; ++col_at) {
      const size_t b = order[col_at];
      if (col_at) row += ',';
      if (a == b) {
        out += "<td class=self>";  // no end tags, no quotes: a few hundred classes are ~100,000 cells
        continue;
      }
      const CpuMatrixPair p = m.pair(a, b);
      if (!p.vendors_differ() && !p.ok()) {
        const CpuMatrixPairFeatures f = pair_features(m, p, catalog);
        const std::string unknown = hover.id(f.unknown);
        row += hover.id(f.missing) + (unknown.empty() ? "" : "/" + unknown);
      }
      out += fmt::format("<td class={}>{}", heatmap_cell_class(p), cell_mark(p));
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n<div id=\"tip\" hidden></div>\n";
}

std::string host_names(const CpuMatrix& m, const std::vector<size_t>& ids, size_t from, size_t to) {
  std::string s;
  for (size_t k = from; k < ids.size() && k < to; ++k) s += (k == from ? "" : ", ") + esc(m.hosts[ids[k]].host);
  return s;
}

// A host list: the first `max_listed` in view, the whole list behind a click.
std::string host_list(const CpuMatrix& m, const std::vector<size_t>& ids, size_t max_listed) {
  if (ids.size() <= max_listed) return host_names(m, ids, 0, ids.size());
  return fmt::format("<details><summary>{}, +{} more</summary><div class=\"hosts\">{}</div></details>",
                     host_names(m, ids, 0, max_listed), ids.size() - max_listed,
                     host_names(m, ids, 0, ids.size()));
}

std::string class_table(const CpuMatrix& m, const CpuCatalog& catalog, size_t max_listed) {
  std::string out =
      "<table class=\"classes\">\n<thead><tr><th>class</th><th>vendor</th><th>model</th><th>features</th>"
      "<th>its vendor's baseline</th><th>gives up</th><th>hosts</th></tr></thead>\n<tbody>\n";
  for (size_t c = 0; c < m.classes.size(); ++c) {
    const HostCpu& h = m.representative(c);
    const VendorBaseline& g = m.baseline_of(m.classes[c].hosts.front());
    const CpuFeatureSet given_up = m.classes[c].features - g.features;
    std::string gives = std::to_string(given_up.count());
    if (!given_up.empty())
      gives = fmt::format("<details><summary>{}</summary>{}</details>", gives, esc(join(catalog.names(given_up), ", ")));
    out += fmt::format(
        "<tr id=\"class-{}\"><th>{}</th><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}, {} features</td>"
        "<td>{}</td><td>{}: {}</td></tr>\n",
        c + 1, esc(class_label(m, c)), esc(vendor_of(h)), esc(h.model.empty() ? "-" : h.model),
        m.classes[c].features.count(), esc(g.model.empty() ? "no named model" : g.model), g.features.count(), gives,
        plural(m.classes[c].hosts.size(), "host", "hosts"), host_list(m, m.classes[c].hosts, max_listed));
  }
  return out + "</tbody></table>\n";
}

std::string baseline_list(const CpuMatrix& m, size_t max_listed) {
  std::string out = "<ul>\n";
  for (const auto& g : m.baselines)
    out += fmt::format("<li>{} ({}): {}, {} features; hosts: {}</li>\n", esc(g.vendor), plural(g.hosts.size(), "host", "hosts"),
                       esc(g.model.empty() ? "no named model" : g.model), g.features.count(),
                       host_list(m, g.hosts, max_listed));
  out += "</ul>\n";
  if (m.baselines.size() > 1) out += "<p>No baseline spans all hosts: their CPU vendors differ.</p>\n";
  return out;
}

std::string summary(const CpuMatrix& m, size_t shown) {
  const auto& [ok, missing, unknown, vendor] = m.counts;
  std::string capped;
  if (shown < m.classes.size())
    capped = fmt::format(" The heatmap shows the {} classes with the most hosts; the table below lists all {}.", shown,
                         m.classes.size());
  return fmt::format("<p class=\"summary\">{} in {} (hosts with an identical guest-visible CPU). Of {} ordered "
                     "pairs of classes: {} ok, {} lack features, {} cannot be told, {} across CPU vendors.{}</p>\n",
                     plural(m.hosts.size(), "host", "hosts"), plural(m.classes.size(), "CPU class", "CPU classes"),
                     m.pair_count(), ok, missing, unknown, vendor, capped);
}

}  // namespace

std::string heatmap_cell_class(const CpuMatrixPair& p) {
  if (p.from == p.to) return "self";
  if (p.vendors_differ()) return "vendor";
  if (p.ok()) return "ok";
  if (p.undecided()) return "unknown";
  const size_t n = p.missing;
  return n <= 2 ? "m1" : n <= 5 ? "m2" : n <= 10 ? "m3" : n <= 20 ? "m4" : "m5";
}

std::string render_matrix_html(const CpuMatrix& m, const CpuCatalog& catalog, size_t max_listed) {
  HoverData hover(catalog);
  std::vector<std::string> cells;
  const std::vector<size_t> order = display_order(m);
  const std::string grid = heatmap(m, catalog, order, hover, cells);

  nlohmann::json data = hover.json();  // rows and columns in display order
  nlohmann::json labels = nlohmann::json::array(), vendors = nlohmann::json::array();
  for (size_t c : order) {
    labels.push_back(class_label(m, c));
    vendors.push_back(vendor_of(m.representative(c)));
  }
  data["labels"] = labels;
  data["vendors"] = vendors;
  data["cells"] = cells;
  // Inside <script>: no "</" may close it early.
  std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3)) json.replace(at, 2, "<\\/");

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>preflight matrix: {} in {}</title>\n", plural(m.hosts.size(), "host", "hosts"),
                     plural(m.classes.size(), "CPU class", "CPU classes"));
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<h1>CPU compatibility by CPU class</h1>\n";
  out += summary(m, order.size());
  out += "<p class=\"caption\">Each cell says whether a guest that sees the whole CPU of the row's class (FROM; "
         "host-model or host-passthrough, libvirt's migratable features) can move to a host of the column's class "
         "(TO). Its colour and number say how many of FROM's features TO lacks: green is none, then yellow to red "
         "as more are missing; purple with \xC3\x97 is a CPU vendor mismatch (no guest crosses vendors), blue with ? "
         "a pair whose facts cannot tell a feature. Hover a cell for the features; a class of one host is named by "
         "its host, a larger one C1, C2, ... (its hosts are listed below). Rows and columns are in the same order: by "
         "vendor, then fewest features first.</p>\n";
  out += legend();
  out += grid;
  out += "<h2>Classes, their hosts and what each gives up in its vendor's baseline</h2>\n";
  out += class_table(m, catalog, max_listed);
  out += "<h2>Baselines: the CPU all hosts of one vendor can offer</h2>\n";
  out += baseline_list(m, max_listed);
  out += "<script type=\"application/json\" id=\"pf-data\">" + json + "</script>\n";
  out += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace preflight
