// preflight collect: facts of this machine, of a libvirt host, of an inventory host,
// or of every inventory host (in parallel) as YAML.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

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
#include "report/collect_report.hpp"

namespace fs = std::filesystem;

namespace preflight::cli {

namespace {

struct CollectOptions {
  std::string libvirt;
  std::string host;
  std::string write;  // -w FILE; with --all the folder
  bool all = false;
  unsigned jobs = 8;
  unsigned timeout_s = 60;
  std::string cpu_map;
};

void emit(const std::string& write, const std::string& yaml) {
  if (write.empty() || write == "-") {
    std::cout << yaml;
  } else {
    write_file(write, yaml);
  }
}

// Every inventory host into DIR/<name>.yaml. A host that fails is named; the
// others are still written, and the exit status says the whole was not collected.
int run_collect_all(const Inventory& inv, const CollectOptions& o, const Context& ctx) {
  if (o.write.empty())
    throw Error("collect --all needs -w DIR", "name the folder to write one <host>.yaml per host into");
  const size_t n = inv.hosts.size();
  std::vector<std::string> failed;
  {  // the bar ends its line before the summary is printed
    std::optional<ProgressBar> bar;
    if (!ctx.options.quiet) bar.emplace("collecting", n);
    failed = collect_all(inv, {o.write, o.jobs, std::chrono::seconds(o.timeout_s), o.cpu_map,
                               [&bar](const std::string& host) {
                                 if (bar) bar->advance(host);
                               }});
  }
  if (!failed.empty()) {
    throw Error(collected_text(n, failed, o.write),
                "the folder does not hold the whole inventory: fix the hosts named and run again");
  }
  ctx.note(collected_text(n, failed, o.write));
  return 0;
}

}  // namespace

void register_collect(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CollectOptions>();
  CLI::App* cmd = app.add_subcommand("collect", "write the facts of this machine or a host as YAML");
  cmd->add_option("host", o->host,
                 "an inventory host (collected from its libvirt URI, facts and cpu files), or a file to convert into\n"
                 "facts: capabilities XML, domain capabilities XML, <cpu> XML, domain XML, libvirt CPU data (<cpudata>),\n"
                 "libcpuid dump, facts YAML ('-': standard input)");
  cmd->add_option("--libvirt", o->libvirt, "collect the host behind this libvirt URI (read-only), e.g. qemu:///system");
  // Facts are YAML (schema_version 1), the form every command reads back.
  add_output_option(cmd, ctx, {"yaml"}, "the facts file every command reads back");
  cmd->add_option("-w,--write", o->write, "write to FILE instead of stdout (with --all: into folder DIR, one <host>.yaml each)")
      ->type_name("FILE|DIR");
  cmd->add_flag("--all", o->all, "collect every host of the inventory, in parallel");
  cmd->add_option("-j,--jobs", o->jobs, "hosts collected at once with --all")->check(CLI::Range(1u, 64u));
  cmd->add_option("--timeout", o->timeout_s,
                  "seconds a libvirt host (--libvirt, an inventory host, each host of --all) may take before its\n"
                  "collection is stopped and reported as failed")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u));
  cmd->footer(
      "Without arguments, reads this machine: raw CPUID of every logical CPU, firmware state, memory,\n"
      "bridges and mounts from /proc and /sys.\n"
      "Examples:\n"
      "  preflight collect -w this-host.yaml\n"
      "  preflight collect --libvirt qemu:///system\n"
      "  virsh capabilities | preflight collect -       facts of the CPU that virsh describes\n"
      "  preflight collect --inventory fixtures/lab/preflight.yaml --all -w /tmp/facts\n"
      "Exit status: 0 collected, 2 not (a host, URI or file could not be read; with --all: some host, named,\n"
      "the others are written).");
  cmd->callback([o, &ctx] {
    o->cpu_map = ctx.options.cpu_map;
    if (o->all) {
      ctx.exit_code = run_collect_all(ctx.require_inventory(), *o, ctx);
      return;
    }
    HostFacts facts;
    const auto timeout = std::chrono::seconds(o->timeout_s);
    const Inventory* inv = o->host.empty() || o->host == "-" ? nullptr : ctx.inventory();
    const InventoryHost* listed = inv ? inv->find(o->host) : nullptr;
    if (listed && !listed->libvirt.empty()) {
      // A libvirt connection can block with no limit of its own: collected in a child that is stopped in time.
      facts = collect_with_timeout(*listed, timeout, ctx.options.cpu_map);
    } else if (!o->host.empty()) {
      std::vector<HostFacts> hosts = ctx.host_argument(o->host);
      if (hosts.size() != 1) {
        throw Error(fmt::format("{}: holds {} CPUs; collect writes the facts of one host", o->host, hosts.size()),
                    "split the file, or use 'preflight baseline' to combine them");
      }
      facts = std::move(hosts.front());
    } else if (!o->libvirt.empty()) {
      InventoryHost h;
      h.name = o->libvirt;
      h.libvirt = o->libvirt;
      facts = collect_with_timeout(h, timeout, ctx.options.cpu_map);
    } else {
      facts = collect_local(LocalCollectOptions{});
      for (const std::string& w : collection_warnings(facts)) std::cerr << "warning: " << w << "\n";
    }
    name_cpu_features(facts, ctx.options.cpu_map);
    emit(o->write, facts_to_yaml(facts));
  });
}

}  // namespace preflight::cli
