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
  bool features = false;
  bool migratable = false;
};

void run_baseline(const BaselineOptions& o, Context& ctx) {
  const std::string* standard_input = ctx.host_arguments(o.hosts);
  const std::string& format = ctx.options.output;
  const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
  const BaselineInputs inputs = baseline_inputs(o.hosts, ctx.inventory(), standard_input, catalog);
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
  if (!ctx.options.quiet) std::cerr << baseline_summary_text(b, inputs.size(), catalog);
}

}  // namespace

void register_baseline(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<BaselineOptions>();
  CLI::App* cmd = app.add_subcommand("baseline", "compute the common CPU of hosts or CPU files");
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
