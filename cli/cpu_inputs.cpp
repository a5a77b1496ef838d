#include "cli/cpu_inputs.hpp"

#include <fmt/format.h>

#include <ostream>

#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "cpu/cpu_file.hpp"
#include "core/text.hpp"

namespace preflight::cli {

std::vector<std::vector<HostFacts>> load_hosts_per_argument(const std::vector<std::string>& args, Context& ctx) {
  std::vector<std::vector<HostFacts>> per_arg;
  for (const auto& a : args) per_arg.push_back(load_host_argument(a, ctx.inventory()));
  name_file_hosts_apart(args, ctx.inventory(), per_arg);  // facts.yaml of web01/ and web02/: two hosts
  return per_arg;
}

std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, Context& ctx) {
  std::vector<HostFacts> hosts;
  for (auto& got : load_hosts_per_argument(args, ctx))
    for (auto& h : got) hosts.push_back(std::move(h));
  return hosts;
}

std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, Context& ctx, const CpuCatalog& catalog) {
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
