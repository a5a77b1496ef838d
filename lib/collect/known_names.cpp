#include "collect/known_names.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <pugixml.hpp>

#include "facts/facts_yaml.hpp"

namespace preflight {
namespace {

void add(std::vector<std::string>& names, const std::string& name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// The file a test driver URI names ("test:///abs/path.xml"); empty for any other URI
// and for the built-in test:///default.
std::string test_driver_file(const std::string& uri) {
  const std::string prefix = "test://";
  if (uri.rfind(prefix, 0) != 0) return {};
  const std::string path = uri.substr(prefix.size());
  if (path.empty() || path[0] != '/' || path == "/default") return {};
  return path;
}

}  // namespace

std::vector<std::string> test_driver_domain_names(const std::string& xml) {
  std::vector<std::string> names;
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return names;
  for (const pugi::xpath_node& n : doc.select_nodes("/node/domain/name")) add(names, n.node().text().as_string());
  return names;
}

std::vector<std::string> known_vm_names(const Inventory& inv) {
  std::vector<std::string> names;
  for (const InventoryHost& h : inv.hosts) {
    if (!h.facts.empty()) {
      try {
        const HostFacts facts = load_facts_file(h.facts);
        if (const auto* vms = facts.vms.get())
          for (const VmFacts& vm : *vms) add(names, vm.name);
      } catch (const std::exception&) {
        // completion says nothing about a file it cannot read; the commands do
      }
    }
    if (const std::string file = test_driver_file(h.libvirt); !file.empty()) {
      std::ifstream in(file);
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      for (const std::string& vm : test_driver_domain_names(text)) add(names, vm);
    }
  }
  return names;
}

}  // namespace preflight
