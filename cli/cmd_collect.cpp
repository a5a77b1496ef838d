// preflight collect: facts of this machine, of a libvirt host, of an inventory host,
// or of every inventory host (in parallel) as YAML.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "collect/collect_all.hpp"
#include "collect/host_source.hpp"
#include "collect/libvirt_collector.hpp"
#include "collect/local_collector.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "facts/facts_yaml.hpp"

namespace fs = std::filesystem;

namespace preflight::cli {

namespace {

struct CollectOptions {
  std::string libvirt;
  std::string host;
  std::string output;
  bool all = false;
  unsigned jobs = 8;
  unsigned timeout_s = 60;
  std::string cpu_map;
};

void emit(const std::string& output, const std::string& yaml) {
  if (output.empty() || output == "-") {
    std::cout << yaml;
  } else {
    write_file(output, yaml);
  }
}

// Every inventory host into DIR/<name>.yaml. A host that fails is named; the
// others are still written, and the exit status says the whole was not collected.
int run_collect_all(const Inventory& inv, const CollectOptions& o) {
  if (o.output.empty()) throw Error("collect --all needs -o DIR", "name the folder to write one <host>.yaml per host into");
  const size_t n = inv.hosts.size();
  std::vector<std::string> failed;
  {  // the bar ends its line before the summary is printed
    ProgressBar bar("collecting", n);
    failed = collect_all(inv, {o.output, o.jobs, std::chrono::seconds(o.timeout_s), o.cpu_map,
                               [&bar](const std::string& host) { bar.advance(host); }});
  }
  if (!failed.empty()) {
    throw Error(fmt::format("collected {} of {} hosts into {}; failed: {}", n - failed.size(), n, o.output,
                            join(failed, "; ")),
                "the folder does not hold the whole inventory: fix the hosts named and run again");
  }
  std::cerr << fmt::format("collected {} hosts into {}\n", n, o.output);
  return 0;
}

}  // namespace

void register_collect(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CollectOptions>();
  CLI::App* cmd = app.add_subcommand("collect", "Write the facts of a host as YAML (this machine by default)");
  cmd->add_option("host", o->host,
                 "an inventory host (collected from its libvirt URI, facts and cpu files), or a file to convert into\n"
                 "facts: capabilities XML, domain capabilities XML, <cpu> XML, domain XML, libvirt CPU data (<cpudata>),\n"
                 "libcpuid dump, facts YAML");
  cmd->add_option("--libvirt", o->libvirt, "collect the host behind this libvirt URI (read-only), e.g. qemu:///system");
  cmd->add_option("-o,--output", o->output, "write to FILE (with --all: into folder DIR, one <host>.yaml each)");
  cmd->add_flag("--all", o->all, "collect every host of the inventory, in parallel");
  cmd->add_option("-j,--jobs", o->jobs, "hosts collected at once with --all")->check(CLI::Range(1u, 64u));
  cmd->add_option("--timeout", o->timeout_s, "with --all: seconds one host may take before it is reported as failed")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u));
  cmd->footer(
      "Without arguments, reads this machine: raw CPUID of every logical CPU, firmware state, memory,\n"
      "bridges and mounts from /proc and /sys.\n"
      "Examples:\n"
      "  preflight collect -o this-host.yaml\n"
      "  preflight collect --libvirt qemu:///system\n"
      "  preflight collect --inventory fixtures/lab/preflight.yaml --all -o /tmp/facts");
  cmd->callback([o, &ctx] {
    o->cpu_map = ctx.options.cpu_map;
    if (o->all) {
      ctx.exit_code = run_collect_all(ctx.require_inventory(), *o);
      return;
    }
    HostFacts facts;
    if (!o->host.empty()) {
      std::vector<HostFacts> hosts = load_host_argument(o->host, ctx.inventory());
      if (hosts.size() != 1) {
        throw Error(fmt::format("{}: holds {} CPUs; collect writes the facts of one host", o->host, hosts.size()),
                    "split the file, or use 'preflight baseline' to combine them");
      }
      facts = std::move(hosts.front());
    } else if (!o->libvirt.empty()) {
      facts = collect_libvirt(o->libvirt);
    } else {
      facts = collect_local(LocalCollectOptions{});
      for (const std::string& w : collection_warnings(facts)) std::cerr << "warning: " << w << "\n";
    }
    name_cpu_features(facts, ctx.options.cpu_map);
    emit(o->output, facts_to_yaml(facts));
  });
}

}  // namespace preflight::cli
