// `preflight matrix -o html` opened in a real browser: Debian's chromium, headless.
// The page loads nothing (no URL in it), its cells and hover data say what
// `-o json` says, a screenshot shows the heatmap's colours (read from the page's own
// CSS) and far more ink than an empty page, and hovering a cell shows its missing
// features. A fleet of 10,000 generated hosts in ~50 CPU classes is drawn too.
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using preflight::test::fixture;
using preflight::test::ProcessResult;
using preflight::test::run_preflight;
using preflight::test::run_process;
using preflight::test::TempDir;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// --- A PNG reader: 8-bit RGB or RGBA, not interlaced (what chromium writes). ---

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

struct Image {
  size_t width = 0, height = 0;
  std::vector<Rgb> pixels;  // row by row
};

uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }

Image read_png(const fs::path& path) {
  const std::string file = read_text(path);
  const auto* d = reinterpret_cast<const uint8_t*>(file.data());
  BOOST_REQUIRE_MESSAGE(file.size() > 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0, path << ": not a PNG");
  Image img;
  int depth = 0, type = 0, interlace = 0;
  std::string idat;
  for (size_t pos = 8; pos + 12 <= file.size();) {
    const size_t len = be32(d + pos);
    const std::string tag = file.substr(pos + 4, 4);
    BOOST_REQUIRE_MESSAGE(pos + 12 + len <= file.size(), path << ": truncated PNG chunk " << tag);
    const uint8_t* c = d + pos + 8;
    if (tag == "IHDR") {
      img.width = be32(c), img.height = be32(c + 4), depth = c[8], type = c[9], interlace = c[12];
    } else if (tag == "IDAT") {
      idat.append(file, pos + 8, len);
    }
    pos += 12 + len;
  }
  BOOST_REQUIRE_MESSAGE(depth == 8 && (type == 2 || type == 6) && interlace == 0,
                        path << ": PNG of depth " << depth << ", colour type " << type << ", interlace " << interlace
                             << " (this reader takes 8-bit RGB or RGBA, not interlaced)");
  const size_t bpp = type == 6 ? 4 : 3, stride = img.width * bpp;
  std::vector<uint8_t> raw(img.height * (stride + 1));
  uLongf got = raw.size();
  BOOST_REQUIRE(uncompress(raw.data(), &got, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) == Z_OK);
  BOOST_REQUIRE(got == raw.size());
  std::vector<uint8_t> prev(stride, 0), cur(stride);
  img.pixels.reserve(img.width * img.height);
  for (size_t y = 0; y < img.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    for (size_t i = 0; i < stride; ++i) {
      const int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: BOOST_FAIL(path << ": PNG filter " << int(filter));
      }
      cur[i] = static_cast<uint8_t>(in[i] + pred);
    }
    for (size_t x = 0; x < img.width; ++x) img.pixels.push_back({cur[x * bpp], cur[x * bpp + 1], cur[x * bpp + 2]});
    std::swap(prev, cur);
  }
  return img;
}

size_t count_of(const Image& img, Rgb colour) { return std::count(img.pixels.begin(), img.pixels.end(), colour); }

size_t non_white(const Image& img) {
  return img.pixels.size() - count_of(img, Rgb{255, 255, 255});
}

// A CSS variable of the page's own stylesheet, "--ok:#1a9850".
Rgb page_colour(const std::string& page, const std::string& name) {
  std::smatch m;
  BOOST_REQUIRE_MESSAGE(std::regex_search(page, m, std::regex(name + ":\\s*#([0-9a-fA-F]{6})")),
                        "the page defines no colour " << name);
  const unsigned long v = std::stoul(m[1].str(), nullptr, 16);
  return Rgb{uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

// --- The browser. ---

std::string find_chromium() {
  std::stringstream path(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / "chromium").c_str(), X_OK) == 0) return (fs::path(dir) / "chromium").string();
  return {};
}

// chromium --headless with ARGS on file://PAGE; fails the test when it is missing.
ProcessResult chromium(const fs::path& profile, const std::vector<std::string>& args, const fs::path& page) {
  const std::string exe = find_chromium();
  BOOST_REQUIRE_MESSAGE(!exe.empty(), "chromium is not installed (this test opens the page in a real browser): "
                                      "run scripts/setup.sh, or apt-get install -y chromium");
  std::vector<std::string> argv = {exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                   "--user-data-dir=" + profile.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("file://" + fs::absolute(page).string());
  return run_process(argv);
}

Image screenshot(const TempDir& dir, const fs::path& page, const std::string& name, const std::string& size) {
  const fs::path png = dir.path / (name + ".png");
  const ProcessResult r = chromium(dir.path / "profile", {"--screenshot=" + png.string(), "--window-size=" + size}, page);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0 && fs::exists(png), "chromium could not take a screenshot of " << page
                                                                 << " (exit " << r.exit_code << "): " << r.err);
  return read_png(png);
}

// --- The page. ---

std::string html_of(const std::vector<std::string>& args) {
  ProcessResult r = run_preflight(args);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0 || r.exit_code == 1, "exit " << r.exit_code << ": " << r.err);
  return r.out;
}

json page_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"pf-data\">";
  const size_t a = page.find(open);
  BOOST_REQUIRE(a != std::string::npos);
  const size_t b = page.find("</script>", a);
  return json::parse(page.substr(a + open.size(), b - a - open.size()));
}

// What hovering cell FROM -> TO names, read from the page's data block as its script
// reads it: {missing names, cannot-tell names}.
std::pair<std::set<std::string>, std::set<std::string>> hover_names(const json& d, size_t from, size_t to) {
  std::vector<std::string> cells;
  std::stringstream row(d["cells"][from].get<std::string>());
  for (std::string c; std::getline(row, c, ',');) cells.push_back(c);
  cells.resize(d["labels"].size());
  auto names = [&](const std::string& id) {
    std::set<std::string> out;
    if (id.empty()) return out;
    std::stringstream s(d["sets"][std::stoul(id, nullptr, 36)].get<std::string>());
    for (std::string f; s >> f;) out.insert(d["features"][std::stoul(f, nullptr, 36)].get<std::string>());
    return out;
  };
  const std::string& cell = cells[to];
  const size_t slash = cell.find('/');
  return {names(cell.substr(0, slash)), slash == std::string::npos ? std::set<std::string>{} : names(cell.substr(slash + 1))};
}

// The heatmap's cells, row by row: {CSS class, text}.
std::vector<std::vector<std::pair<std::string, std::string>>> page_cells(const std::string& page) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  const size_t body = page.find("<tbody>", page.find("id=\"heatmap\""));
  const size_t end = page.find("</tbody>", body);
  std::regex cell("<td class=([a-z0-9]+)>([^<]*)");
  size_t at = body;
  for (size_t tr; (tr = page.find("<tr>", at)) < end; at = tr + 4) {
    const size_t close = page.find("</tr>", tr);
    rows.emplace_back();
    const std::string text = page.substr(tr, close - tr);
    for (std::sregex_iterator it(text.begin(), text.end(), cell), e; it != e; ++it)
      rows.back().emplace_back((*it)[1], (*it)[2]);
  }
  return rows;
}

void check_self_contained(const std::string& page) {
  BOOST_TEST(page.rfind("<!DOCTYPE html>", 0) == 0u);
  for (const std::string bad : {"http://", "https://", "<link", "@import", "url(", "<iframe", "<img"})
    BOOST_TEST(page.find(bad) == std::string::npos, "the page holds " << bad);
  // Every src= / href= stays inside the page.
  std::regex ref("(src|href)\\s*=\\s*\"([^\"]*)\"");
  for (std::sregex_iterator it(page.begin(), page.end(), ref), e; it != e; ++it)
    BOOST_TEST((*it)[2].str().rfind("#", 0) == 0u, "a reference out of the page: " << (*it)[0]);
}

// The page's cells and hover data against `-o json` of the same hosts.
void check_against_json(const std::string& page, const json& j) {
  const json d = page_data(page);
  const size_t n = j["classes"].size();
  BOOST_REQUIRE(d["labels"].size() == n);
  const auto rows = page_cells(page);
  BOOST_REQUIRE(rows.size() == n);
  std::map<std::string, size_t> at;  // a class's row (and column) in the page, by label
  for (size_t r = 0; r < n; ++r) {
    at[d["labels"][r]] = r;
    BOOST_REQUIRE(rows[r].size() == n);
    BOOST_TEST(rows[r][r].first == "self");
  }
  BOOST_REQUIRE(at.size() == n);
  for (const auto& c : j["classes"]) BOOST_TEST(at.count(c["label"]) == 1u, c["label"]);
  for (const auto& p : j["pairs"]) {
    const size_t a = at.at(p["from"]), b = at.at(p["to"]);
    const std::string status = p["status"];
    const auto& [cls, text] = rows[a][b];
    const std::string what = p["from"].get<std::string>() + " -> " + p["to"].get<std::string>();
    std::set<std::string> named;  // what -o json names: known missing and cannot tell alike
    for (const auto& f : p["missing"]) named.insert(f["feature"].get<std::string>());
    auto [hover_missing, hover_unknown] = hover_names(d, a, b);
    if (status == "ok") {
      BOOST_TEST((cls == "ok" && text == "ok"), what);
    } else if (status == "vendor") {
      BOOST_TEST((cls == "vendor" && text == "\xC3\x97"), what);
    } else if (status == "unknown") {
      BOOST_TEST((cls == "unknown" && text == "?"), what);
      BOOST_TEST(hover_missing.empty(), what);
      BOOST_TEST(!hover_unknown.empty(), what);
    } else {
      BOOST_TEST((cls.size() == 2 && cls[0] == 'm'), what << ": " << cls);
      BOOST_TEST(text == std::to_string(hover_missing.size()), what);  // the number is what the hover names
    }
    hover_missing.insert(hover_unknown.begin(), hover_unknown.end());
    BOOST_TEST((hover_missing == named), what);
  }
}

// The page with a script at its end that moves the pointer onto cell FROM -> TO.
std::string hovered(const std::string& page, size_t from, size_t to) {
  const std::string script = "<script>(function(){var td=document.querySelector('#heatmap tbody tr:nth-child(" +
                             std::to_string(from + 1) + ") td:nth-of-type(" + std::to_string(to + 1) +
                             ")');var r=td.getBoundingClientRect();td.dispatchEvent(new MouseEvent('mousemove',"
                             "{bubbles:true,clientX:r.left+3,clientY:r.top+3}));})();</script>\n";
  std::string out = page;
  out.insert(out.rfind("</body>"), script);
  return out;
}

std::string tip_text(const std::string& dom) {
  const size_t a = dom.find("id=\"tip\"");
  BOOST_REQUIRE(a != std::string::npos);
  const size_t open = dom.find('>', a), close = dom.find("</div>", open);
  std::string tag = dom.substr(a, open - a);
  BOOST_TEST(tag.find("hidden") == std::string::npos, "the tooltip is hidden: " << tag);
  return dom.substr(open + 1, close - open - 1);
}

// 10,000 hosts as one file of <cpu> elements: 8 Intel and 3 AMD models, each
// plain and with a few extra features, ~50 classes of uneven size.
std::string fleet_cpus(size_t hosts) {
  const std::vector<std::string> intel = {"Westmere-IBRS", "SandyBridge-IBRS", "IvyBridge-IBRS",
                                          "Haswell-noTSX-IBRS", "Broadwell-noTSX-IBRS", "Skylake-Server-noTSX-IBRS",
                                          "Cascadelake-Server-noTSX", "Icelake-Server-noTSX"};
  const std::vector<std::string> amd = {"EPYC", "EPYC-Rome", "EPYC-Milan"};
  const std::vector<std::vector<std::string>> intel_extras = {{}, {"ds"}, {"ss"}, {"ds", "ss"}, {"vmx"}};
  const std::vector<std::vector<std::string>> amd_extras = {{}, {"ht"}, {"monitor"}};
  struct Kind {
    std::string model, vendor;
    std::vector<std::string> extra;
  };
  std::vector<Kind> kinds;
  for (const auto& m : intel)
    for (const auto& e : intel_extras) kinds.push_back({m, "Intel", e});
  for (const auto& m : amd)
    for (const auto& e : amd_extras) kinds.push_back({m, "AMD", e});
  std::string out;
  for (size_t i = 0; i < hosts; ++i) {
    const Kind& k = kinds[(i * i + i / 7) % kinds.size()];  // uneven class sizes
    out += "<cpu>\n  <arch>x86_64</arch>\n  <model>" + k.model + "</model>\n  <vendor>" + k.vendor + "</vendor>\n";
    for (const auto& f : k.extra) out += "  <feature name='" + f + "'/>\n";
    out += "</cpu>\n";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_demo_lab_page_is_self_contained_and_says_what_json_says) {
  const std::vector<std::string> lab = {"--inventory", fixture("lab/preflight.yaml"), "matrix"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = lab;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const ProcessResult r = run_preflight(with({"-o", "html"}));
  BOOST_TEST(r.exit_code == 1, r.err);  // the same exit status as the text: some pair cannot move
  const std::string page = r.out;
  check_self_contained(page);
  const json j = json::parse(run_preflight(with({"-o", "json"})).out);
  check_against_json(page, j);
  BOOST_TEST(page.find("class=\"legend\"") != std::string::npos);
  for (const std::string h : {"hostA", "hostB", "hostC"}) BOOST_TEST(page.find(">" + h + "<") != std::string::npos, h);
  BOOST_TEST(page.find("EPYC-Rome, ") != std::string::npos);  // the AMD baseline
  BOOST_TEST(page.find("Haswell-noTSX-IBRS, ") != std::string::npos);  // the Intel baseline

  // In the browser: hovering hostA -> hostB names what hostB lacks.
  TempDir dir("preflight-matrix-html-lab");
  const fs::path hover = dir.path / "hover.html";
  const json labels = page_data(page)["labels"];
  auto row_of = [&](const std::string& label) {
    const auto it = std::find(labels.begin(), labels.end(), label);
    BOOST_REQUIRE(it != labels.end());
    return static_cast<size_t>(it - labels.begin());
  };
  write_text(hover, hovered(page, row_of("hostA"), row_of("hostB")));
  const ProcessResult dom = chromium(dir.path / "profile", {"--dump-dom"}, hover);
  BOOST_REQUIRE_MESSAGE(dom.exit_code == 0, "chromium --dump-dom: " << dom.err);
  const std::string tip = tip_text(dom.out);
  const json ab = j["pairs"][0];
  BOOST_REQUIRE(ab["from"] == "hostA" && ab["to"] == "hostB");
  BOOST_TEST(tip.find("hostA \xE2\x86\x92 hostB: hostB lacks " + std::to_string(ab["missing_count"].get<size_t>()) +
                      " features: ") == 0u,
             tip);
  for (const auto& f : ab["missing"]) BOOST_TEST(tip.find(f["feature"].get<std::string>()) != std::string::npos, f);
}

BOOST_AUTO_TEST_CASE(a_fleet_of_10000_hosts_in_50_classes_is_drawn_by_chromium) {
  TempDir dir("preflight-matrix-html-fleet");
  const fs::path cpus = dir.path / "fleet.xml";
  write_text(cpus, fleet_cpus(10000));
  const std::string page = html_of({"matrix", cpus.string(), "-o", "html"});
  const fs::path file = dir.path / "fleet.html";
  write_text(file, page);
  BOOST_TEST_MESSAGE("the page of 10,000 hosts: " << page.size() << " bytes");
  check_self_contained(page);
  const json j = json::parse(html_of({"matrix", cpus.string(), "-o", "json"}));
  BOOST_TEST(j["hosts"].size() == 10000u);
  BOOST_TEST(j["classes"].size() >= 40u);
  check_against_json(page, j);
  // Every host is in the page (behind "+N more" for the large classes).
  for (const auto& h : j["hosts"]) {
    const std::string name = h["host"];
    if (page.find(name + ",") == std::string::npos && page.find(name + "<") == std::string::npos) {
      BOOST_ERROR("host " << name << " is not in the page");
      break;
    }
  }
  BOOST_TEST(page.find(" more</summary>") != std::string::npos);

  // The screenshot is the heatmap: the page's own "ok" and vendor colours fill
  // cells, and there is far more ink than on an empty page.
  const Image shot = screenshot(dir, file, "fleet", "1600,1200");
  const Rgb ok = page_colour(page, "--ok"), vendor = page_colour(page, "--vendor");
  const size_t cell_area = 20 * 20;
  BOOST_TEST(count_of(shot, ok) > 20 * cell_area, "ok pixels: " << count_of(shot, ok));
  BOOST_TEST(count_of(shot, vendor) > 20 * cell_area, "vendor pixels: " << count_of(shot, vendor));
  for (const std::string bucket : {"--m1", "--m4"})
    BOOST_TEST(count_of(shot, page_colour(page, bucket)) > cell_area, bucket);

  const fs::path empty = dir.path / "empty.html";
  write_text(empty, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>empty</title></head><body></body></html>\n");
  const Image blank = screenshot(dir, empty, "empty", "1600,1200");
  BOOST_TEST(count_of(blank, ok) == 0u);
  BOOST_TEST(non_white(shot) > shot.pixels.size() / 5, "non-white pixels: " << non_white(shot));
  BOOST_TEST(non_white(shot) > 100 * (non_white(blank) + 1), non_white(shot) << " vs " << non_white(blank));
}
