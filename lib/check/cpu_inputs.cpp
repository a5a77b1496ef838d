#include "check/cpu_inputs.hpp"

#include <fmt/format.h>

#include "check/check_run.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_file.hpp"

namespace preflight {

namespace {

bool is_standard_input(const std::string& arg, const std::string* standard_input) {
  return arg == "-" && standard_input;  // an inventory host called "-" would be a strange name
}

std::vector<HostFacts> host_argument(const std::string& arg, const Inventory* inv,
                                     const std::string* standard_input) {
  if (is_standard_input(arg, standard_input)) return hosts_from_text(*standard_input, "stdin");
  return load_host_argument(arg, inv);
}

}  // namespace

std::vector<std::vector<HostFacts>> load_hosts_per_argument(const std::vector<std::string>& args,
                                                            const Inventory* inv, const std::string* standard_input) {
  std::vector<std::vector<HostFacts>> per_arg;
  for (const auto& a : args) per_arg.push_back(host_argument(a, inv, standard_input));
  name_file_hosts_apart(args, inv, per_arg);  // facts.yaml of web01/ and web02/: two hosts
  return per_arg;
}

std::vector<HostFacts> load_hosts(const std::vector<std::string>& args, const Inventory* inv,
                                  const std::string* standard_input) {
  std::vector<HostFacts> hosts;
  for (auto& got : load_hosts_per_argument(args, inv, standard_input))
    for (auto& h : got) hosts.push_back(std::move(h));
  return hosts;
}

std::optional<std::vector<HostCpu>> read_cpu_file(const std::string& arg, const Inventory* inv,
                                                  const std::string* standard_input, const CpuCatalog& catalog) {
  if (is_standard_input(arg, standard_input)) {  // the caller keeps the text: parse a copy
    std::string text = *standard_input;
    if (auto cpus = cpus_from_pieces(text, "stdin", catalog)) return cpus;
    return cpus_from_document(*standard_input, "stdin", catalog);
  }
  if (inv && inv->find(arg)) return std::nullopt;
  std::string text;
  try {
    text = read_file(arg);
  } catch (const Error&) {
    return std::nullopt;  // not a readable file: the host loader says what it is
  }
  if (auto cpus = cpus_from_pieces(text, arg, catalog)) return cpus;
  return cpus_from_document(read_file(arg), arg, catalog);  // the pieces were parsed in place: read it again
}

std::vector<BaselineInput> baseline_inputs(const std::vector<std::string>& args, const Inventory* inv,
                                           const std::string* standard_input, const CpuCatalog& catalog) {
  // Files of bare <cpu> elements are read straight into CPU descriptions; the
  // others go through the host loader all at once, so files of one name stay apart.
  std::vector<std::optional<std::vector<HostCpu>>> cpu_files;
  std::vector<std::string> others;
  for (const auto& arg : args) {
    cpu_files.push_back(read_cpu_file(arg, inv, standard_input, catalog));
    if (!cpu_files.back()) others.push_back(arg);
  }
  const std::vector<std::vector<HostFacts>> loaded = load_hosts_per_argument(others, inv, standard_input);
  std::vector<BaselineInput> inputs;
  for (size_t i = 0, next = 0; i < args.size(); ++i) {
    if (cpu_files[i]) {
      for (const HostCpu& cpu : *cpu_files[i]) inputs.push_back(baseline_input(cpu));
      continue;
    }
    for (const HostFacts& h : loaded[next++]) inputs.push_back(baseline_input(resolve_host_cpu(h, catalog)));
  }
  return inputs;
}

std::vector<HostFacts> load_matrix_hosts(const std::vector<std::string>& names, const Inventory* inv,
                                         const std::string* standard_input) {
  std::vector<std::vector<HostFacts>> per_arg(names.size());
  std::vector<const InventoryHost*> live;
  std::vector<size_t> slot;
  for (size_t i = 0; i < names.size(); ++i) {
    if (const InventoryHost* h = inv ? inv->find(names[i]) : nullptr) {
      live.push_back(h);
      slot.push_back(i);
    } else {
      per_arg[i] = host_argument(names[i], inv, standard_input);
    }
  }
  name_file_hosts_apart(names, inv, per_arg);  // facts.yaml of web01/ and web02/: two hosts
  CollectedHosts got = collect_hosts(live);
  std::vector<std::string> failed;
  for (size_t k = 0; k < live.size(); ++k) {
    if (got.facts[k]) per_arg[slot[k]].push_back(std::move(*got.facts[k]));
    else failed.push_back(got.errors[k]);
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot read {} host{}: {}", failed.size(), failed.size() == 1 ? "" : "s",
                            join(failed, "; ")),
                "every host must be read to judge its pairs; name only the reachable ones: preflight matrix HOST...");
  std::vector<HostFacts> hosts;
  for (auto& v : per_arg)
    for (auto& h : v) hosts.push_back(std::move(h));
  if (hosts.size() < 2)
    throw Error(fmt::format("matrix: {} host{} given, a matrix needs at least two", hosts.size(),
                            hosts.size() == 1 ? "" : "s"),
                "name two or more hosts, or add hosts to the inventory");
  return hosts;
}

}  // namespace preflight
