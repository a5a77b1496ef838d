#include "check/impact_inputs.hpp"

#include <algorithm>
#include <filesystem>

#include "check/check_run.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "facts/facts_yaml.hpp"

namespace fs = std::filesystem;

namespace preflight {

std::vector<HostFacts> load_facts_world(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    HostFacts h = facts_from_yaml(read_file(path, "give a facts file (preflight collect -w FILE) or a folder of them"),
                                  path);
    if (h.name.empty()) h.name = fs::path(path).stem().string();
    if (h.source.empty()) h.source = path;
    return {std::move(h)};
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path().string());
  if (ec) throw Error(path + ": cannot read the folder: " + ec.message(), "check the path");
  if (files.empty())
    throw Error(path + ": no facts file (*.yaml) in the folder",
                "write one with `preflight collect --all -w " + path + "`");
  std::sort(files.begin(), files.end());
  std::vector<HostFacts> out;
  for (const auto& f : files) {
    HostFacts h = facts_from_yaml(read_file(f), f);
    h.name = fs::path(f).stem().string();  // collect --all names each file by its inventory host
    if (h.source.empty()) h.source = f;
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<HostFacts> load_inventory_world(const Inventory& inv) {
  std::vector<const InventoryHost*> hosts;
  for (const auto& h : inv.hosts) hosts.push_back(&h);
  CollectedHosts got = collect_hosts(hosts);
  std::vector<std::string> errors;
  std::vector<HostFacts> out;
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (!got.facts[i]) {
      errors.push_back(hosts[i]->name + ": " + got.errors[i]);
      continue;
    }
    HostFacts h = std::move(*got.facts[i]);
    h.name = hosts[i]->name;
    if (h.pool_membership.empty()) h.pool_membership = hosts[i]->pool;
    out.push_back(std::move(h));
  }
  if (!errors.empty())
    throw Error("cannot read every inventory host: " + join(errors, "; "),
                "fix or remove those hosts, or give the fleet's facts with --fleet DIR (preflight collect --all -w DIR)");
  return out;
}

std::vector<HostFacts> replace_hosts(std::vector<HostFacts> world, const std::vector<HostFacts>& changed) {
  for (const auto& c : changed) {
    auto it = std::find_if(world.begin(), world.end(), [&](const HostFacts& h) { return h.name == c.name; });
    if (it != world.end()) *it = c;
    else world.push_back(c);
  }
  return world;
}

}  // namespace preflight
