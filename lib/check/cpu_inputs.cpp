#include "check/cpu_inputs.hpp"

#include <iterator>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "check/check_run.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"
#include "cpu/cpu_compare.hpp"
#include "cpu/cpu_file.hpp"

namespace preflight {

namespace {

// Hosts read at once (as collect_hosts).
constexpr size_t kMaxParallelReads = 16;

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

namespace {

BaselineInputs inputs_of(const std::vector<HostCpu>& cpus) {
  BaselineInputs in;
  for (const HostCpu& cpu : cpus) in.add(baseline_input(cpu));
  return in;
}

}  // namespace

std::optional<BaselineInputs> read_cpu_file(const std::string& arg, const Inventory* inv,
                                            const std::string* standard_input, const CpuCatalog& catalog) {
  if (is_standard_input(arg, standard_input)) {  // the caller keeps the text: parse a copy
    std::string text = *standard_input;
    if (auto in = baseline_inputs_from_pieces(text, "stdin", catalog)) return in;
    if (auto cpus = cpus_from_document(*standard_input, "stdin", catalog)) return inputs_of(*cpus);
    return std::nullopt;
  }
  if (inv && inv->find(arg)) return std::nullopt;
  std::string text;
  try {
    text = read_file(arg);
  } catch (const Error&) {
    return std::nullopt;  // not a readable file: the host loader says what it is
  }
  if (auto in = baseline_inputs_from_pieces(text, arg, catalog)) return in;
  // The pieces were parsed in place: read it again.
  if (auto cpus = cpus_from_document(read_file(arg), arg, catalog)) return inputs_of(*cpus);
  return std::nullopt;
}

BaselineInputs baseline_inputs(const std::vector<std::string>& args, const Inventory* inv,
                               const std::string* standard_input, const CpuCatalog& catalog) {
  // Files of bare <cpu> elements are read straight into baseline inputs; the
  // others go through the host loader all at once, so files of one name stay apart.
  std::vector<std::optional<BaselineInputs>> cpu_files;
  std::vector<std::string> others;
  for (const auto& arg : args) {
    cpu_files.push_back(read_cpu_file(arg, inv, standard_input, catalog));
    if (!cpu_files.back()) others.push_back(arg);
  }
  const std::vector<std::vector<HostFacts>> loaded = load_hosts_per_argument(others, inv, standard_input);
  if (args.size() == 1 && cpu_files[0]) return std::move(*cpu_files[0]);
  BaselineInputs inputs;
  for (size_t i = 0, next = 0; i < args.size(); ++i) {
    if (cpu_files[i]) {
      inputs.append(*cpu_files[i]);
      continue;
    }
    for (const HostFacts& h : loaded[next++]) inputs.add(baseline_input(resolve_host_cpu(h, catalog)));
  }
  return inputs;
}

MatrixHosts load_matrix_hosts(const std::vector<std::string>& names, const Inventory* inv,
                              const std::string* standard_input, const CpuCatalog& catalog) {
  // Per argument: its hosts, resolved as soon as they are read (a host's facts
  // whole live only in the thread that reads them).
  struct Resolved {
    std::vector<HostCpu> cpus;
    std::vector<std::shared_ptr<const HostFacts>> facts;
    std::vector<std::string> unresolved;  // each names its host
    std::string unread;                   // empty when read
  };
  // Hosts share their explanation facts: one copy per distinct value.
  std::mutex shared_lock;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const HostFacts>> shared;
  auto key = [](const auto& fact, auto&& text) { return fact.known() ? "=" + text(fact.value()) : "?" + fact.reason(); };
  auto explanation = [&](const HostFacts& h) {
    HostFacts e = explanation_facts(h);
    std::pair<std::string, std::string> k{key(e.firmware.tsx, [](const std::string& s) { return s; }),
                                          key(e.firmware.vulnerabilities, [](const auto& v) {
                                            return v.empty() ? std::string("none") : "taa:" + v.begin()->second;
                                          })};
    std::lock_guard<std::mutex> hold(shared_lock);
    auto [it, fresh] = shared.try_emplace(std::move(k));
    if (fresh) it->second = std::make_shared<const HostFacts>(std::move(e));
    return it->second;
  };
  auto resolve = [&](std::vector<HostFacts>&& hosts, Resolved& out) {
    for (HostFacts& h : hosts) {
      try {
        out.cpus.push_back(resolve_host_cpu(h, catalog));
        out.facts.push_back(explanation(h));
      } catch (const Error& e) {
        out.unresolved.push_back(e.what());
      }
    }
  };
  std::vector<Resolved> per_arg(names.size());
  std::vector<std::vector<HostFacts>> file_hosts(names.size());
  std::vector<const InventoryHost*> live(names.size(), nullptr);
  for (size_t i = 0; i < names.size(); ++i) {
    live[i] = inv ? inv->find(names[i]) : nullptr;
    if (!live[i]) file_hosts[i] = host_argument(names[i], inv, standard_input);
  }
  name_file_hosts_apart(names, inv, file_hosts);  // facts.yaml of web01/ and web02/: two hosts
  for (size_t i = 0; i < names.size(); ++i)
    if (!live[i]) resolve(std::move(file_hosts[i]), per_arg[i]);
  file_hosts = {};
  parallel_for(names.size(), kMaxParallelReads, [&](size_t i) {
    if (!live[i]) return;
    try {
      std::vector<HostFacts> one;
      one.push_back(collect_inventory_host(*live[i]));
      resolve(std::move(one), per_arg[i]);
    } catch (const std::exception& e) {
      per_arg[i].unread = e.what();
    }
  });
  std::vector<std::string> failed, unresolved;
  for (const Resolved& r : per_arg) {
    if (!r.unread.empty()) failed.push_back(r.unread);
    unresolved.insert(unresolved.end(), r.unresolved.begin(), r.unresolved.end());
  }
  if (!failed.empty())
    throw Error(fmt::format("matrix: cannot read {} host{}: {}", failed.size(), failed.size() == 1 ? "" : "s",
                            join(failed, "; ")),
                "every host must be read to judge its pairs; name only the reachable ones: preflight matrix HOST...");
  if (!unresolved.empty())
    throw Error(fmt::format("matrix: cannot resolve the CPU of {} host{}: {}", unresolved.size(),
                            unresolved.size() == 1 ? "" : "s", join(unresolved, "; ")),
                "no pair is judged on a guess: give such a host a CPU source, or leave it out (preflight matrix "
                "HOST...)");
  MatrixHosts hosts;
  for (Resolved& r : per_arg) {
    std::move(r.cpus.begin(), r.cpus.end(), std::back_inserter(hosts.cpus));
    std::move(r.facts.begin(), r.facts.end(), std::back_inserter(hosts.facts));
    r = {};
  }
  if (hosts.cpus.size() < 2)
    throw Error(fmt::format("matrix: {} host{} given, a matrix needs at least two", hosts.cpus.size(),
                            hosts.cpus.size() == 1 ? "" : "s"),
                "name two or more hosts, or add hosts to the inventory");
  return hosts;
}

}  // namespace preflight
