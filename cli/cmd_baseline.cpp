// preflight baseline HOST|FILE...: the common CPU of hosts, in libvirt, QEMU,
// VMware or JSON form. libvirt's form is byte for byte what virsh cpu-baseline
// prints; the x86-64 level and each host's losses go to stderr (JSON: inline).
#include <iostream>

#include "check/cpu_inputs.hpp"
#include "cli/command.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_format.hpp"
#include "report/baseline_report.hpp"

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
  const std::vector<BaselineInput> inputs = baseline_inputs(o.hosts, ctx.inventory(), catalog);
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
  std::cerr << baseline_summary_text(b, inputs.size(), catalog);
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
