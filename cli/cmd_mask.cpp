// preflight mask VM --hosts H...: the guest CPU definition that lets VM run on
// every host of H, in every format, and what the guest gives up.
#include <iostream>

#include "check/cpu_inputs.hpp"
#include "check/mask_run.hpp"
#include "cli/command.hpp"
#include "report/mask_report.hpp"

namespace preflight::cli {

namespace {

struct MaskOptions {
  std::string vm;
  std::vector<std::string> hosts;
  std::string from;  // the VM's host; empty = search --hosts, then the inventory
  bool migratable = false;
};

void run_mask(const MaskOptions& o, Context& ctx) {
  std::vector<std::string> args = o.hosts;
  if (!o.from.empty()) args.push_back(o.from);
  const std::string* standard_input = ctx.host_arguments(args);
  const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
  const std::vector<HostFacts> hosts = load_hosts(o.hosts, ctx.inventory(), standard_input);
  std::optional<HostFacts> from;
  if (!o.from.empty()) from = load_hosts({o.from}, ctx.inventory(), standard_input).front();
  const VmMask m = mask_vm(o.vm, hosts, from, ctx.inventory(), catalog, o.migratable);
  if (ctx.json()) ctx.print_json(mask_json(m.vm, m.source.name, m.guest, m.mask, catalog));
  else std::cout << render_mask_text(m.vm, m.source.name, m.guest, m.mask, o.hosts, catalog);
}

}  // namespace

void register_mask(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MaskOptions>();
  CLI::App* cmd = app.add_subcommand("mask", "compute a guest CPU that lets a VM run on given hosts");
  cmd->add_option("vm", o->vm, "VM name, as the inventory hosts list it")->required();
  cmd->add_option("--hosts", o->hosts, "hosts the VM must be able to run on (names or files; '-': standard input)")
      ->required();
  cmd->add_option("--from", o->from, "the VM's host (default: the first host that has it)");
  cmd->add_flag("--migratable", o->migratable, "drop features that cannot be migrated (invtsc, ...)");
  add_output_option(cmd, ctx, {"text", "json"}, "text gives the mask in every format");
  cmd->footer(
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight mask db1 --hosts hostA hostB       the guest CPU that lets db1 run on both\n"
      "  preflight mask web1 --hosts hostA hostB -o json\n"
      "Exit status: 0 a mask was computed, 2 it could not be (the VM or a host could not be read, CPUs of\n"
      "different vendors).");
  cmd->callback([o, &ctx] { run_mask(*o, ctx); });
}

}  // namespace preflight::cli
