#include "cli/cpu_inputs.hpp"

#include <fmt/format.h>

#include <ostream>

#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "cpu/cpu_file.hpp"
#include "core/text.hpp"

namespace preflight::cli {

std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, Context& ctx) {
  std::vector<HostFacts> hosts;
  for (const auto& a : args) {
    std::vector<HostFacts> got = ctx.host_argument(a);
    for (auto& h : got) hosts.push_back(std::move(h));
  }
  return hosts;
}

std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, Context& ctx, const CpuCatalog& catalog) {
  if (arg == "-") {  // standard input, kept by ctx: parse a copy
    const std::string& in = ctx.standard_input();
    std::string text = in;
    if (auto cpus = cpus_from_pieces(text, "stdin", catalog)) return cpus;
    return cpus_from_document(in, "stdin", catalog);
  }
  if (const Inventory* inv = ctx.inventory(); inv && inv->find(arg)) return std::nullopt;
  std::string text;
  try {
    text = read_file(arg);
  } catch (const Error&) {
    return std::nullopt;  // not a readable file: the host loader says what it is
  }
  if (auto cpus = cpus_from_pieces(text, arg, catalog)) return cpus;
  return cpus_from_document(read_file(arg), arg, catalog);  // the pieces were parsed in place: read it again
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
