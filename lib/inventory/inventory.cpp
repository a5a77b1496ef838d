#include "inventory/inventory.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"
#include "core/yaml_subset.hpp"
#include "core/yaml_tree.hpp"

namespace fs = std::filesystem;

namespace preflight {

namespace {

const char* const kFixHint = "fix the inventory file";

const std::vector<std::string> kHostKeys = {"libvirt", "cpu", "facts", "pool", "migration", "migrate_uri", "link_gbit"};
constexpr double kMinLinkGbit = 0.001;  // 1 Mbit/s
constexpr double kMaxLinkGbit = 10000;
const std::vector<std::string> kTopKeys = {"hosts", "policy"};

bool is_known(std::string_view key, const std::vector<std::string>& known) {
  for (const auto& k : known)
    if (k == key) return true;
  return false;
}

[[noreturn]] void refuse_unknown(std::string_view key, const std::vector<std::string>& known, const std::string& at,
                                 const std::string& what) {
  throw Error(fmt::format("{}: unknown {} key '{}'{}", at, what, key, did_you_mean(std::string(key), known)),
              "known keys: " + join(known, ", "));
}

// The inventory in a parsed tree (either one, core/yaml_tree.hpp): one reading code,
// so both trees give the same hosts and the same errors.
template <class Tree>
class InventoryReader {
 public:
  using Node = typename Tree::Node;
  InventoryReader(const std::string& file, std::string abs_path) : file_(file) {
    inv_.path = std::move(abs_path);
    dir_ = fs::path(inv_.path).parent_path().string();
  }

  Inventory read(const Node& root) {
    if (!Tree::is_map(root)) throw Error(fmt::format("{}: the inventory must be a map with 'hosts:'", file_));
    std::optional<Node> hosts;
    std::optional<Node> policy;
    Tree::each_entry(root, [&](const Node& key, const Node& value) {
      const std::string_view name = Tree::scalar(key);
      if (!is_known(name, kTopKeys)) refuse_unknown(name, kTopKeys, where(key), "inventory");
      // As YAML::Node::operator[]: the first entry whose key is a scalar of that text.
      if (!Tree::is_scalar(key)) return;
      if (name == "hosts" && !hosts) hosts = value;
      if (name == "policy" && !policy) policy = value;
    });
    if (!hosts || !Tree::is_map(*hosts) || Tree::size(*hosts) == 0) {
      throw Error(fmt::format("{}: no hosts: the inventory needs a 'hosts:' map with at least one host", file_));
    }
    inv_.hosts.reserve(Tree::size(*hosts));
    inv_.index.reserve(Tree::size(*hosts));
    Tree::each_entry(*hosts, [&](const Node& key, const Node& value) { read_host(key, value); });
    if (policy) inv_.policy = resolve_path(scalar(*policy, "policy"), dir_);
    return std::move(inv_);
  }

 private:
  std::string where(const Node& n) const { return yaml_mark_location(file_, Tree::mark(n)); }

  std::string scalar(const Node& n, std::string_view key) const {
    if (!Tree::is_scalar(n)) throw Error(fmt::format("{}: '{}' must be a string", where(n), key));
    return std::string(Tree::scalar(n));
  }

  void read_host(const Node& key, const Node& value) {
    InventoryHost h;
    h.name = std::string(Tree::scalar(key));
    h.line = Tree::mark(key).line + 1;
    if (!Tree::is_map(value)) throw Error(fmt::format("{}: host '{}' must be a map", where(key), h.name));
    Tree::each_entry(value, [&](const Node& hkey, const Node& hvalue) {
      const std::string_view k = Tree::scalar(hkey);
      if (!is_known(k, kHostKeys)) refuse_unknown(k, kHostKeys, where(hkey), "host");
      std::string v = scalar(hvalue, k);
      if (k == "libvirt") h.libvirt = resolve_libvirt_uri(v, dir_);
      if (k == "cpu") h.cpu = resolve_path(v, dir_);
      if (k == "facts") h.facts = resolve_path(v, dir_);
      if (k == "pool") h.pool = std::move(v);
      if (k == "migration") h.migration = std::move(v);
      if (k == "migrate_uri") h.migrate_uri = std::move(v);
      if (k == "link_gbit") {
        const double gbit = require_real(v, kMinLinkGbit, kMaxLinkGbit, where(hvalue), "'link_gbit' (Gbit/s)",
                                         "e.g. link_gbit: 10 for a 10 GbE migration network");
        h.link_gbit = gbit;
      }
    });
    if (h.libvirt.empty() && h.facts.empty() && h.cpu.empty()) {
      throw Error(fmt::format("{}: host '{}' has no source of facts", where(key), h.name),
                  "give it 'libvirt: URI', 'facts: FILE' or 'cpu: FILE'");
    }
    if (!inv_.index.emplace(h.name, inv_.hosts.size()).second)
      throw Error(fmt::format("{}: host '{}' is listed twice", where(key), h.name));
    inv_.hosts.push_back(std::move(h));
  }

  const std::string& file_;
  std::string dir_;
  Inventory inv_;
};

std::string absolute_path(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

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

namespace {

// True when lexically_normal would leave `path` as it is: no empty component but a
// trailing one (no "//"), no "." or "..". The common case, decided without building
// an fs::path (a 10,000-host inventory resolves 10,000 paths).
bool is_normal(std::string_view path) {
  size_t start = path.size() > 0 && path[0] == '/' ? 1 : 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "." || part == "..") return false;
    if (part.empty() && end != path.size()) return false;  // "//", or "/" alone after the root
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty()) return path;
  if (is_normal(path) && (path[0] == '/' || (!base_dir.empty() && base_dir[0] == '/' && is_normal(base_dir)))) {
    if (path[0] == '/') return path;
    if (base_dir.back() == '/') return base_dir + path;
    return base_dir + "/" + path;
  }
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
  std::error_code ec;
  if (path[0] == '/' && fs::exists(fs::symlink_status(path, ec))) return "test://" + path;
  while (!path.empty() && path[0] == '/') path.erase(0, 1);
  return "test://" + resolve_path(path, base_dir);
}

std::optional<Inventory> inventory_from_yaml_subset(const std::string& text, const std::string& path) {
  const std::optional<yaml_subset::Document> doc = yaml_subset::parse(text);
  if (!doc) return std::nullopt;
  refuse_duplicate_keys(doc->root(), path, kFixHint);
  return InventoryReader<SubsetTree>(path, absolute_path(path)).read(&doc->root());
}

Inventory inventory_from_yaml_cpp(const std::string& text, const std::string& path) {
  const YAML::Node root = load_yaml(text, path, kFixHint);
  return InventoryReader<YamlCppTree>(path, absolute_path(path)).read(root);
}

Inventory load_inventory(const std::string& path) {
  const std::string text = read_file(
      path, "give an existing inventory file with --inventory, or create ./preflight.yaml (see fixtures/lab/preflight.yaml)");
  if (std::optional<Inventory> inv = inventory_from_yaml_subset(text, path)) return std::move(*inv);
  return inventory_from_yaml_cpp(text, path);
}

std::optional<std::string> default_inventory_path() {
  std::error_code ec;
  if (fs::exists(fs::symlink_status("preflight.yaml", ec))) return std::string("preflight.yaml");
  std::string base;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    base = x;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.config";
  }
  if (!base.empty()) {
    const std::string p = base + "/preflight/inventory.yaml";
    if (fs::exists(fs::symlink_status(p, ec))) return p;
  }
  return std::nullopt;
}

}  // namespace preflight
