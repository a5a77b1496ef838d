// preflight baseline HOST|FILE...: the common CPU of hosts, in libvirt, QEMU,
// VMware or JSON form. libvirt's form is byte for byte what virsh cpu-baseline
// prints; the x86-64 level and each host's losses go to stderr (JSON: inline).
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/cpu_inputs.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_format.hpp"

namespace preflight::cli {

namespace {

struct BaselineOptions {
  std::vector<std::string> hosts;
  std::string format = "libvirt";
  bool features = false;
  bool migratable = false;
};

void run_baseline(const BaselineOptions& o, Context& ctx) {
  const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
  // A file of bare <cpu> elements (virsh cpu-baseline's input, possibly
  // thousands) is read straight into CPU descriptions; anything else goes
  // through the host loader, all at once so that files of one name stay apart.
  std::vector<std::optional<std::vector<HostCpu>>> cpu_files;
  std::vector<std::string> others;
  for (const auto& arg : o.hosts) {
    cpu_files.push_back(read_cpu_file(arg, ctx, catalog));
    if (!cpu_files.back()) others.push_back(arg);
  }
  const std::vector<std::vector<HostFacts>> loaded = load_hosts_per_argument(others, ctx);
  std::vector<BaselineInput> inputs;
  for (size_t i = 0, next = 0; i < o.hosts.size(); ++i) {
    if (cpu_files[i]) {
      for (const HostCpu& cpu : *cpu_files[i]) inputs.push_back(baseline_input(cpu));
      continue;
    }
    for (const HostFacts& h : loaded[next++]) inputs.push_back(baseline_input(resolve_host_cpu(h, catalog)));
  }
  const Baseline b = compute_baseline(inputs, catalog, o.migratable);

  if (o.format == "json") {
    std::cout << baseline_json(b, catalog).dump(2) << "\n";
    return;
  }
  if (o.format == "libvirt") {
    std::cout << format_libvirt(b.cpu, b.show_vendor, catalog, o.features);
  } else if (o.format == "qemu") {
    std::cout << format_qemu(b.cpu, catalog) << "\n";
  } else {
    std::cout << format_vmware(b.features, catalog);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> losses;
  constexpr size_t kShown = 20;
  for (const auto& g : b.given_up) {
    losses.emplace_back(g.host, losses.size() < kShown ? catalog.names(g.features) : std::vector<std::string>{});
  }
  std::cerr << fmt::format("baseline {} of {} CPUs: x86-64-v{} ({} features)\n", b.cpu.model->name, inputs.size(),
                           b.level, b.features.count());
  print_given_up(std::cerr, losses, kShown);
}

}  // namespace

void register_baseline(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<BaselineOptions>();
  CLI::App* cmd = app.add_subcommand("baseline", "the common CPU of hosts or CPU files (like virsh cpu-baseline)");
  cmd->add_option("host", o->hosts, "inventory host names or files (facts YAML, capabilities, <cpu> elements, ...)")
      ->required();
  cmd->add_option("--format", o->format, "libvirt (as virsh cpu-baseline), qemu (-cpu ...), vmware (CPUID masks), json")
      ->check(CLI::IsMember({"libvirt", "qemu", "vmware", "json"}));
  cmd->add_flag("--features", o->features, "list every feature of the model (virsh cpu-baseline --features)");
  cmd->add_flag("--migratable", o->migratable, "drop features that cannot be migrated (invtsc, ...)");
  cmd->footer(
      "Examples:\n"
      "  preflight baseline hostA hostB --inventory fixtures/lab/preflight.yaml\n"
      "  preflight baseline cpus.xml --features        same output as virsh cpu-baseline --features cpus.xml\n"
      "  preflight baseline hostA hostB --format vmware");
  cmd->callback([o, &ctx] { run_baseline(*o, ctx); });
}

}  // namespace preflight::cli
