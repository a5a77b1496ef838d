#include "inventory/inventory.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"

namespace fs = std::filesystem;

namespace preflight {

namespace {

std::string where(const std::string& file, const YAML::Mark& m) { return yaml_location(file, m); }

std::string scalar(const YAML::Node& n, const std::string& file, const std::string& key) {
  if (!n.IsScalar()) throw Error(fmt::format("{}: '{}' must be a string", where(file, n.Mark()), key));
  return n.Scalar();
}

const std::vector<std::string> kHostKeys = {"libvirt", "cpu", "facts", "pool", "migration", "migrate_uri", "link_gbit"};
constexpr double kMinLinkGbit = 0.001;  // 1 Mbit/s
constexpr double kMaxLinkGbit = 10000;
const std::vector<std::string> kTopKeys = {"hosts", "policy"};

void reject_unknown(const std::string& key, const std::vector<std::string>& known, const std::string& at,
                    const std::string& what) {
  for (const auto& k : known)
    if (k == key) return;
  throw Error(fmt::format("{}: unknown {} key '{}'{}", at, what, key, did_you_mean(key, known)),
              "known keys: " + join(known, ", "));
}

}  // namespace

const InventoryHost* Inventory::find(const std::string& name) const {
  if (index.size() == hosts.size()) {
    const auto it = index.find(name);
    if (it != index.end() && it->second < hosts.size() && hosts[it->second].name == name) return &hosts[it->second];
  }
  for (const auto& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

std::vector<std::string> Inventory::names() const {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(h.name);
  return out;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty()) return path;
  fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(base_dir) / p).lexically_normal().string();
}

std::string resolve_libvirt_uri(const std::string& uri, const std::string& base_dir) {
  const std::string scheme = "test:";
  if (uri.rfind(scheme, 0) != 0) return uri;
  std::string path = uri.substr(scheme.size());
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  if (path == "/default" || path.empty()) return uri;
  // test:///abs/file.xml when that file exists; otherwise relative to the inventory.
  if (path[0] == '/' && fs::exists(path)) return "test://" + path;
  while (!path.empty() && path[0] == '/') path.erase(0, 1);
  return "test://" + resolve_path(path, base_dir);
}

Inventory load_inventory(const std::string& path) {
  const std::string text = read_file(
      path, "give an existing inventory file with --inventory, or create ./preflight.yaml (see fixtures/lab/preflight.yaml)");
  const YAML::Node root = load_yaml(text, path, "fix the inventory file");
  Inventory inv;
  inv.path = fs::absolute(path).lexically_normal().string();
  const std::string dir = fs::path(inv.path).parent_path().string();
  if (!root.IsMap()) throw Error(fmt::format("{}: the inventory must be a map with 'hosts:'", path));
  for (const auto& kv : root) {
    reject_unknown(kv.first.Scalar(), kTopKeys, where(path, kv.first.Mark()), "inventory");
  }
  const YAML::Node hosts = root["hosts"];
  if (!hosts || !hosts.IsMap() || hosts.size() == 0) {
    throw Error(fmt::format("{}: no hosts: the inventory needs a 'hosts:' map with at least one host", path));
  }
  for (const auto& kv : hosts) {
    InventoryHost h;
    h.name = kv.first.Scalar();
    h.line = kv.first.Mark().line + 1;
    const std::string at = where(path, kv.first.Mark());
    if (!kv.second.IsMap()) throw Error(fmt::format("{}: host '{}' must be a map", at, h.name));
    for (const auto& hk : kv.second) {
      const std::string key = hk.first.Scalar();
      reject_unknown(key, kHostKeys, where(path, hk.first.Mark()), "host");
      const std::string value = scalar(hk.second, path, key);
      if (key == "libvirt") h.libvirt = resolve_libvirt_uri(value, dir);
      if (key == "cpu") h.cpu = resolve_path(value, dir);
      if (key == "facts") h.facts = resolve_path(value, dir);
      if (key == "pool") h.pool = value;
      if (key == "migration") h.migration = value;
      if (key == "migrate_uri") h.migrate_uri = value;
      if (key == "link_gbit") {
        char* end = nullptr;
        const double gbit = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !(gbit >= kMinLinkGbit && gbit <= kMaxLinkGbit))  // NaN fails too
          throw Error(fmt::format("{}: 'link_gbit' must be a number of Gbit/s from {:g} to {:g}, not '{}'",
                                  where(path, hk.second.Mark()), kMinLinkGbit, kMaxLinkGbit, value),
                      "e.g. link_gbit: 10 for a 10 GbE migration network");
        h.link_gbit = gbit;
      }
    }
    if (h.libvirt.empty() && h.facts.empty() && h.cpu.empty()) {
      throw Error(fmt::format("{}: host '{}' has no source of facts", at, h.name),
                  "give it 'libvirt: URI', 'facts: FILE' or 'cpu: FILE'");
    }
    if (!inv.index.emplace(h.name, inv.hosts.size()).second)
      throw Error(fmt::format("{}: host '{}' is listed twice", at, h.name));
    inv.hosts.push_back(std::move(h));
  }
  if (const YAML::Node p = root["policy"]) inv.policy = resolve_path(scalar(p, path, "policy"), dir);
  return inv;
}

std::optional<std::string> default_inventory_path() {
  if (fs::exists("preflight.yaml")) return std::string("preflight.yaml");
  std::string base;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    base = x;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.config";
  }
  if (!base.empty()) {
    const std::string p = base + "/preflight/inventory.yaml";
    if (fs::exists(p)) return p;
  }
  return std::nullopt;
}

}  // namespace preflight
