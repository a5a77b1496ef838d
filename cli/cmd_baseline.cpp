// preflight baseline HOST|FILE...: the common CPU of hosts, in libvirt, QEMU,
// VMware or JSON form. libvirt's form is byte for byte what virsh cpu-baseline
// prints; the x86-64 level and each host's losses go to stderr (JSON: inline).
#include <fmt/format.h>

#include <iostream>

#include "cli/cpu_inputs.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_format.hpp"

namespace preflight::cli {

namespace {

struct BaselineOptions {
  std::vector<std::string> hosts;
  bool features = false;
  bool migratable = false;
};

void run_baseline(const BaselineOptions& o, Context& ctx) {
  Context::stdin_at_most_once(o.hosts);
  const std::string& format = ctx.options.output;
  const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
  std::vector<BaselineInput> inputs;
  for (const auto& arg : o.hosts) {
    // A file of bare <cpu> elements (virsh cpu-baseline's input, possibly
    // thousands) is read straight into CPU descriptions; anything else goes
    // through the host loader.
    if (auto cpus = read_cpu_file(arg, ctx, catalog)) {
      for (const HostCpu& cpu : *cpus) inputs.push_back(baseline_input(cpu));
      continue;
    }
    for (const HostFacts& h : load_hosts({arg}, ctx)) inputs.push_back(baseline_input(resolve_host_cpu(h, catalog)));
  }
  const Baseline b = compute_baseline(inputs, catalog, o.migratable);

  if (format == "json") {
    ctx.print_json(baseline_json(b, catalog));
    return;
  }
  if (format == "libvirt") {
    std::cout << format_libvirt(b.cpu, b.show_vendor, catalog, o.features);
  } else if (format == "qemu") {
    std::cout << format_qemu(b.cpu, catalog) << "\n";
  } else {
    std::cout << format_vmware(b.features, catalog);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> losses;
  constexpr size_t kShown = 20;
  for (const auto& g : b.given_up) {
    losses.emplace_back(g.host, losses.size() < kShown ? catalog.names(g.features) : std::vector<std::string>{});
  }
  if (ctx.options.quiet) return;
  std::cerr << fmt::format("baseline {} of {} CPUs: x86-64-v{} ({} features)\n", b.cpu.model->name, inputs.size(),
                           b.level, b.features.count());
  print_given_up(std::cerr, losses, kShown);
}

}  // namespace

void register_baseline(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<BaselineOptions>();
  CLI::App* cmd = app.add_subcommand("baseline", "the common CPU of hosts or CPU files (like virsh cpu-baseline)");
  cmd->add_option("host", o->hosts,
                  "inventory host names or files (facts YAML, capabilities, <cpu> elements, ...; '-': standard input)")
      ->required();
  add_output_option(cmd, ctx, {"libvirt", "qemu", "vmware", "json"},
                    "libvirt as virsh cpu-baseline, qemu a -cpu argument, vmware CPUID masks");
  // The spelling before -o was the format in every command; kept working, hidden.
  CLI::Option* format = cmd->add_option("--format", ctx.options.output, "deprecated: -o FORMAT")
                            ->check(CLI::IsMember({"libvirt", "qemu", "vmware", "json"}))
                            ->group("");
  cmd->add_flag("--features", o->features, "list every feature of the model (virsh cpu-baseline --features)");
  cmd->add_flag("--migratable", o->migratable, "drop features that cannot be migrated (invtsc, ...)");
  cmd->footer(
      "Examples:\n"
      "  preflight baseline hostA hostB --inventory fixtures/lab/preflight.yaml\n"
      "  preflight baseline cpus.xml --features        same output as virsh cpu-baseline --features cpus.xml\n"
      "  preflight baseline hostA hostB -o vmware\n"
      "  virsh capabilities | preflight baseline - hostB   '-' reads standard input\n"
      "Exit status: 0 a baseline was computed, 2 it could not be (a host or file could not be read, CPUs of\n"
      "different vendors, an unknown model or feature).");
  cmd->callback([o, &ctx, format] {
    if (format->count()) ctx.note("preflight: baseline --format is deprecated; use -o FORMAT");
    run_baseline(*o, ctx);
  });
}

}  // namespace preflight::cli
