#include "cli/cpu_inputs.hpp"

#include <fmt/format.h>

#include <ostream>

#include "collect/host_source.hpp"
#include "core/text.hpp"

namespace preflight::cli {

std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, Context& ctx) {
  std::vector<HostFacts> hosts;
  for (const auto& a : args) {
    std::vector<HostFacts> got = load_host_argument(a, ctx.inventory());
    for (auto& h : got) hosts.push_back(std::move(h));
  }
  return hosts;
}

std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, Context& ctx, const CpuCatalog& catalog) {
  if (const Inventory* inv = ctx.inventory(); inv && inv->find(arg)) return std::nullopt;
  pugi::xml_document doc;
  // Entities decoded; no end-of-line or attribute whitespace normalisation, which
  // cannot change a CPU name, model or feature that libvirt accepts.
  if (!doc.load_file(arg.c_str(), pugi::parse_cdata | pugi::parse_escapes)) return std::nullopt;
  std::vector<pugi::xml_node> nodes;
  for (auto n : doc.children()) {
    if (n.type() != pugi::node_element) continue;
    if (std::string_view(n.name()) != "cpu") return std::nullopt;
    nodes.push_back(n);
  }
  if (nodes.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  cpus.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string name = nodes.size() == 1 ? arg : fmt::format("{}#{}", arg, i + 1);
    cpus.push_back(resolve_cpu_element(nodes[i], name, name, catalog));
  }
  return cpus;
}

void print_given_up(std::ostream& out, const std::vector<std::pair<std::string, std::vector<std::string>>>& losses,
                    size_t limit) {
  for (size_t i = 0; i < losses.size() && i < limit; ++i) {
    const auto& [host, names] = losses[i];
    out << fmt::format("  {} gives up {}: {}\n", host, names.size(), names.empty() ? "nothing" : join(names, " "));
  }
  if (losses.size() > limit) out << fmt::format("  ... and {} more hosts (-o json lists all)\n", losses.size() - limit);
}

}  // namespace preflight::cli
