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

namespace {

constexpr unsigned kCpuParse = pugi::parse_cdata | pugi::parse_escapes;

// The top-level elements of `doc` when all are <cpu>; empty otherwise.
std::vector<pugi::xml_node> cpu_elements(const pugi::xml_document& doc) {
  std::vector<pugi::xml_node> nodes;
  for (auto n : doc.children()) {
    if (n.type() != pugi::node_element) continue;
    if (std::string_view(n.name()) != "cpu") return {};
    nodes.push_back(n);
  }
  return nodes;
}

std::string cpu_name(const std::string& arg, size_t i, size_t count) {
  return count == 1 ? arg : fmt::format("{}#{}", arg, i + 1);
}

// Thousands of <cpu> elements, one at a time: each piece up to a "</cpu>" is
// parsed (by pugixml) into one reused document, so memory stays at one CPU's
// worth. nullopt when any piece is not exactly one whole <cpu> element (a comment
// or CDATA holding "</cpu>", text after the last one...): the caller then parses
// the file as one document, which decides.
std::optional<std::vector<HostCpu>> read_cpu_pieces(std::string& text, const std::string& arg,
                                                    const CpuCatalog& catalog) {
  static constexpr std::string_view kEnd = "</cpu>";
  std::vector<std::pair<size_t, size_t>> pieces;
  for (size_t pos = 0;;) {
    const size_t end = text.find(kEnd, pos);
    if (end == std::string::npos) {
      if (text.find_first_not_of(" \t\r\n", pos) != std::string::npos) return std::nullopt;
      break;
    }
    pieces.emplace_back(pos, end + kEnd.size());
    pos = end + kEnd.size();
  }
  if (pieces.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  cpus.reserve(pieces.size());
  pugi::xml_document doc;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto [begin, end] = pieces[i];
    if (!doc.load_buffer_inplace(text.data() + begin, end - begin, kCpuParse)) return std::nullopt;
    const std::vector<pugi::xml_node> nodes = cpu_elements(doc);
    if (nodes.size() != 1) return std::nullopt;
    const std::string name = cpu_name(arg, i, pieces.size());
    cpus.push_back(resolve_cpu_element(nodes[0], name, name, catalog));
  }
  return cpus;
}

}  // namespace

std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, Context& ctx, const CpuCatalog& catalog) {
  if (const Inventory* inv = ctx.inventory(); inv && inv->find(arg)) return std::nullopt;
  std::string text;
  try {
    text = read_file(arg);
  } catch (const Error&) {
    return std::nullopt;  // not a readable file: the host loader says what it is
  }
  if (auto cpus = read_cpu_pieces(text, arg, catalog)) return cpus;
  text = read_file(arg);  // the pieces were parsed in place: read it again, whole
  pugi::xml_document doc;
  // Entities decoded; no end-of-line or attribute whitespace normalisation, which
  // cannot change a CPU name, model or feature that libvirt accepts.
  if (!doc.load_buffer_inplace(text.data(), text.size(), kCpuParse)) return std::nullopt;
  const std::vector<pugi::xml_node> nodes = cpu_elements(doc);
  if (nodes.empty()) return std::nullopt;
  std::vector<HostCpu> cpus;
  cpus.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string name = cpu_name(arg, i, nodes.size());
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
