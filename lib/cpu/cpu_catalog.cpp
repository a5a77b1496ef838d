#include "cpu/cpu_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include <pugixml.hpp>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/xml_text.hpp"
#include "core/text.hpp"

namespace preflight {

namespace {

constexpr const char* kCpuMapHint = "install libvirt's cpu_map (libvirt-daemon) or point --cpu-map at a cpu_map folder";

// Linux /proc/cpuinfo flag names that differ from libvirt's beyond case and
// separators and that cpu_map does not list as aliases.
constexpr std::pair<const char*, const char*> kLinuxSpellings[] = {
    {"tsc_deadline_timer", "tsc-deadline"},
};

std::string key_of(std::string_view name) {
  std::string k;
  k.reserve(name.size());
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') continue;
    k.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return k;
}

// A register or MSR number: 0 when the attribute is absent; else 0x-hex or decimal
// up to 2^32-1, or an Error naming the file and the value (not a silent 0).
uint32_t hex_attr(const pugi::xml_node& n, const char* name, const std::string& where) {
  const pugi::xml_attribute a = n.attribute(name);
  if (!a) return 0;
  if (const auto v = parse_unsigned(a.as_string(), 0xffffffffULL, Radix::decimal_or_hex)) return static_cast<uint32_t>(*v);
  throw Error(fmt::format("{}: <{} {}='{}'> is not a 32-bit number", where, n.name(), name, quote_input(a.as_string())),
              kCpuMapHint);
}

bool on_off(const pugi::xml_node& n, const char* name) {
  return std::string_view(n.attribute(name).as_string("on")) != "off";
}

// Steppings "5-7", "0,2,4-6" as a bit set (libvirt's bitmap syntax, 0..15).
uint16_t steppings_of(std::string_view text, const std::string& where) {
  uint16_t bits = 0;
  for (const std::string& part : split(std::string(text), ',')) {
    const std::string p = trim(part);
    const size_t dash = p.find('-');
    const auto lo = parse_unsigned(std::string_view(p).substr(0, dash), 15);
    const auto hi = dash == std::string::npos ? lo : parse_unsigned(std::string_view(p).substr(dash + 1), 15);
    if (!lo || !hi || *lo > *hi)
      throw Error(fmt::format("{}: signature stepping '{}' is not a list of 0-15", where, quote_input(text)),
                  kCpuMapHint);
    for (uint64_t s = *lo; s <= *hi; ++s) bits |= static_cast<uint16_t>(1U << s);
  }
  return bits;
}

uint32_t signature_number(const pugi::xml_node& n, const char* name, const std::string& where) {
  return static_cast<uint32_t>(
      require_unsigned(n.attribute(name).as_string(), 0xffff, where, fmt::format("<signature {}='...'>", name), kCpuMapHint));
}

CpuModelSignature signature_of(const pugi::xml_node& n, const std::string& where) {
  CpuModelSignature s{signature_number(n, "family", where), signature_number(n, "model", where), 0};
  if (const auto stepping = n.attribute("stepping")) s.steppings = steppings_of(stepping.as_string(), where);
  return s;
}

// read_file refuses directories, FIFOs and devices before opening them.
// Every file of a cpu_map (index.xml and what it includes) is one <cpus> element.
pugi::xml_document load_xml(const std::string& path) {
  const std::string text = read_file(path, kCpuMapHint);
  pugi::xml_document doc = parse_xml(text, path, kCpuMapHint);
  xml_root(doc, "cpus", path, kCpuMapHint);
  return doc;
}

// How deep includes may nest (libvirt's own cpu_map uses one level).
constexpr size_t kMaxIncludeDepth = 8;

}  // namespace

class CpuCatalogLoader {
 public:
  explicit CpuCatalogLoader(CpuCatalog& c) : c_(c) {}

  void element(const pugi::xml_node& n, const std::string& file) {
    const std::string_view tag = n.name();
    if (tag == "include") {
      const std::string name = n.attribute("filename").as_string();
      if (name.empty()) throw Error(fmt::format("{}: an <include> names no file", file), kCpuMapHint);
      const std::string path = c_.dir_ + "/" + name;
      if (std::find(including_.begin(), including_.end(), path) != including_.end() || path == c_.dir_ + "/index.xml")
        throw Error(fmt::format("{}: includes {}, which is already being read (an include cycle)", file, name),
                    kCpuMapHint);
      if (including_.size() >= kMaxIncludeDepth)
        throw Error(fmt::format("{}: includes nest deeper than {} levels", file, kMaxIncludeDepth), kCpuMapHint);
      const pugi::xml_document doc = load_xml(path);
      including_.push_back(path);
      for (auto child : doc.document_element().children()) element(child, path);
      including_.pop_back();
    } else if (tag == "vendor") {
      c_.vendors_.push_back({n.attribute("name").as_string(), n.attribute("string").as_string()});
    } else if (tag == "feature") {
      feature(n, file);
    } else if (tag == "model") {
      model(n, file);
    }  // anything else (comments, future elements) is tolerated
  }

 private:
  void feature(const pugi::xml_node& n, const std::string& file) {
    CpuFeature f;
    f.name = n.attribute("name").as_string();
    f.migratable = std::string_view(n.attribute("migratable").as_string("yes")) != "no";
    bool found = false;
    for (auto child : n.children()) {
      const std::string_view tag = child.name();
      if (tag == "alias") {
        f.aliases.push_back(child.attribute("name").as_string());
      } else if (tag == "cpuid" && !found) {
        f.leaf = hex_attr(child, "eax_in", file);
        f.subleaf = hex_attr(child, "ecx_in", file);
        const char* regs[] = {"eax", "ebx", "ecx", "edx"};
        for (int r = 0; r < 4; ++r) {
          if (const uint32_t m = hex_attr(child, regs[r], file)) {
            f.reg = static_cast<CpuRegister>(r);
            f.mask = m;
          }
        }
        found = f.mask != 0;
      } else if (tag == "msr" && !found) {
        f.is_msr = true;
        f.msr_index = hex_attr(child, "index", file);
        const uint32_t lo = hex_attr(child, "eax", file), hi = hex_attr(child, "edx", file);
        f.msr_high = lo == 0;
        f.mask = lo ? lo : hi;
        found = f.mask != 0;
      }
    }
    if (!found) return;  // a feature of a kind this code does not know: tolerated, never matched
    if (c_.features_.size() == CpuFeatureSet::kCapacity) {
      throw Error(fmt::format("{}: more than {} CPU features", file, CpuFeatureSet::kCapacity),
                  "raise CpuFeatureSet::kCapacity");
    }
    const size_t id = c_.features_.size();
    c_.feature_keys_.emplace(key_of(f.name), id);
    c_.exact_names_.insert(f.name, static_cast<uint32_t>(id));
    for (const auto& a : f.aliases) {
      c_.feature_keys_.emplace(key_of(a), id);
      c_.exact_names_.insert(a, static_cast<uint32_t>(id));
    }
    if (!f.migratable) c_.non_migratable_.set(id);
    c_.features_.push_back(std::move(f));
  }

  void model(const pugi::xml_node& n, const std::string& file) {
    CpuModel m;
    m.name = n.attribute("name").as_string();
    const std::string where = fmt::format("{}: model '{}'", file, m.name);
    bool own_signatures = false;
    for (auto child : n.children()) {
      const std::string_view tag = child.name();
      if (tag == "model") {  // ancestor: start from its vendor, signatures and features
        const std::string parent = child.attribute("name").as_string();
        const CpuModel* p = c_.find_model(parent);
        if (!p) throw Error(fmt::format("{}: ancestor model '{}' not found", where, parent), kCpuMapHint);
        const std::string own = m.name;
        m = *p;
        m.name = own;
      } else if (tag == "vendor") {
        const std::string v = child.attribute("name").as_string();
        m.vendor = c_.find_vendor(v);
        if (m.vendor < 0) throw Error(fmt::format("{}: unknown vendor '{}'", where, v), kCpuMapHint);
      } else if (tag == "signature") {
        if (!own_signatures) m.signatures.clear();  // own signatures replace the ancestor's
        own_signatures = true;
        m.signatures.push_back(signature_of(child, where));
      } else if (tag == "decode") {
        m.decode_host = on_off(child, "host");
        m.decode_guest = on_off(child, "guest");
      } else if (tag == "feature") {
        const std::string name = child.attribute("name").as_string();
        const size_t id = c_.feature_id(name, where);
        if (std::string_view(child.attribute("removed").as_string("no")) == "yes") {
          m.removed.push_back(id);
        } else {
          m.features.set(id);
        }
      }
    }
    c_.model_index_.assign(m.name, static_cast<uint32_t>(c_.models_.size()));
    c_.models_.push_back(std::move(m));
  }

  CpuCatalog& c_;
  std::vector<std::string> including_;  // the include files being read, outermost first
};

CpuCatalog CpuCatalog::load(const std::string& dir) {
  CpuCatalog c;
  c.dir_ = dir.empty() ? kDefaultCpuMapDir : dir;
  while (c.dir_.size() > 1 && c.dir_.back() == '/') c.dir_.pop_back();
  const std::string index = c.dir_ + "/index.xml";
  const pugi::xml_document doc = load_xml(index);
  CpuCatalogLoader loader(c);
  bool x86 = false;
  for (auto arch : doc.document_element().children("arch")) {
    if (std::string_view(arch.attribute("name").as_string()) != "x86") continue;
    x86 = true;
    for (auto child : arch.children()) loader.element(child, index);
  }
  if (!x86 || c.features_.empty()) {
    throw Error(fmt::format("{}: no x86 features in this cpu_map", index), kCpuMapHint);
  }
  for (const auto& [linux_name, libvirt_name] : kLinuxSpellings) {
    if (auto id = c.find_feature(libvirt_name)) c.feature_keys_.emplace(key_of(linux_name), *id);
  }
  return c;
}

std::optional<size_t> CpuCatalog::find_feature(std::string_view name) const {
  if (const auto exact = exact_names_.find(name)) return *exact;
  const auto it = feature_keys_.find(key_of(name));
  if (it == feature_keys_.end()) return std::nullopt;
  return it->second;
}

size_t CpuCatalog::feature_id(std::string_view name, std::string_view where) const {
  if (auto id = find_feature(name)) return *id;
  std::vector<std::string> all;
  all.reserve(features_.size());
  for (const auto& f : features_) all.push_back(f.name);
  throw Error(fmt::format("{}{}unknown CPU feature '{}'{}", where, where.empty() ? "" : ": ", name,
                          did_you_mean(name, all)),
              fmt::format("feature names are those of {}/x86_features.xml", dir_));
}

std::optional<size_t> CpuCatalog::find_model_id(std::string_view name) const {
  if (const auto id = model_index_.find(name)) return *id;
  return std::nullopt;
}

const CpuModel* CpuCatalog::find_model(std::string_view name) const {
  const auto id = model_index_.find(name);
  return id ? &models_[*id] : nullptr;
}

const CpuModel& CpuCatalog::model(std::string_view name) const {
  if (const CpuModel* m = find_model(name)) return *m;
  std::vector<std::string> all;
  for (const auto& m : models_) all.push_back(m.name);
  throw Error(fmt::format("unknown CPU model '{}' (searched {}){}", name, dir_, did_you_mean(name, all)),
              "use a model of that cpu_map, or point --cpu-map at a newer one");
}

int CpuCatalog::find_vendor(std::string_view name_or_string) const {
  for (size_t i = 0; i < vendors_.size(); ++i) {
    if (vendors_[i].name == name_or_string || vendors_[i].string == name_or_string) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> CpuCatalog::names(const CpuFeatureSet& set) const {
  std::vector<std::string> out;
  set.for_each([&](size_t id) { out.push_back(features_[id].name); });
  return out;
}

CpuFeatureSet CpuCatalog::set_of(const std::vector<std::string>& names, std::string_view where) const {
  CpuFeatureSet s;
  for (const auto& n : names) s.set(feature_id(n, where));
  return s;
}

}  // namespace preflight
