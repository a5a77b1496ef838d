// preflight mask VM --hosts H...: the guest CPU definition that lets VM run on
// every host of H, in every format, and what the guest gives up.
#include <fmt/format.h>

#include <iostream>

#include "cli/cpu_inputs.hpp"
#include "collect/host_source.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/cpu_baseline.hpp"
#include "cpu/cpu_format.hpp"

namespace preflight::cli {

namespace {

struct MaskOptions {
  std::string vm;
  std::vector<std::string> hosts;
  std::string from;  // the VM's host; empty = search --hosts, then the inventory
  bool migratable = false;
};

void run_mask(const MaskOptions& o, Context& ctx) {
  const CpuCatalog catalog = CpuCatalog::load(ctx.options.cpu_map);
  std::vector<HostFacts> hosts = load_hosts(o.hosts, ctx);
  HostFacts source;
  const VmFacts* vm = nullptr;
  if (!o.from.empty()) {
    std::vector<HostFacts> s = load_hosts({o.from}, ctx);
    source = std::move(s.front());
    vm = find_vm(source, o.vm);
  } else {
    for (const auto& h : hosts) {
      if ((vm = find_vm(h, o.vm))) {
        source = h;
        vm = find_vm(source, o.vm);
        break;
      }
    }
    if (!vm) {
      if (const Inventory* inv = ctx.inventory()) {
        for (const auto& ih : inv->hosts) {
          if (std::find(o.hosts.begin(), o.hosts.end(), ih.name) != o.hosts.end()) continue;
          source = collect_inventory_host(ih);
          if ((vm = find_vm(source, o.vm))) break;
        }
      }
    }
  }
  if (!vm) {
    throw Error(fmt::format("mask: VM '{}' not found on {}", o.vm,
                            o.from.empty() ? "the given hosts or the inventory" : "'" + o.from + "'"),
                "name the VM's host with --from");
  }
  std::vector<BaselineInput> inputs;
  for (const HostFacts& h : hosts) inputs.push_back(baseline_input(resolve_host_cpu(h, catalog)));
  const GuestCpu guest = guest_cpu(*vm, source, catalog);
  const Mask m = compute_mask(guest, vm->name, inputs, catalog, o.migratable);

  if (ctx.options.output == "json") {
    nlohmann::json j = baseline_json(m.baseline, catalog);
    j["vm"] = vm->name;
    j["source"] = source.name;
    j["guest_mode"] = guest.mode;
    j["gives_up"] = catalog.names(m.given_up);
    j["notes"] = guest.notes;
    j["vmware"] = format_vmware(m.baseline.features, catalog);
    j["restart_required"] = vm->state == "running";
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("VM '{}' on '{}' ({} CPU, {} features) on every one of: {}\n", vm->name, source.name,
                           guest.mode, guest.features.count(), join(o.hosts, ", "));
  for (const auto& n : guest.notes) std::cout << "note: " << n << "\n";
  const std::vector<std::string> lost = catalog.names(m.given_up);
  std::cout << fmt::format("the guest gives up {}: {}\n", lost.size(), lost.empty() ? "nothing" : join(lost, " "));
  std::cout << fmt::format("x86-64 level of the masked CPU: v{}\n\n", m.baseline.level);
  std::cout << "libvirt (<cpu> of the domain XML):\n" << format_libvirt(m.baseline.cpu, true, catalog, false) << "\n";
  std::cout << "QEMU:\n" << format_qemu(m.baseline.cpu, catalog) << "\n\n";
  std::cout << "VMware:\n" << format_vmware(m.baseline.features, catalog) << "\n";
  std::cout << "A running VM takes a new CPU definition only when it is restarted (shut down and started, "
               "not rebooted from inside).\n";
}

}  // namespace

void register_mask(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<MaskOptions>();
  CLI::App* cmd = app.add_subcommand("mask", "the guest CPU (libvirt, QEMU, VMware) that lets a VM run on all hosts");
  cmd->add_option("vm", o->vm, "VM name, as the inventory hosts list it")->required();
  cmd->add_option("--hosts", o->hosts, "hosts the VM must be able to run on")->required();
  cmd->add_option("--from", o->from, "the VM's host (default: the first host that has it)");
  cmd->add_flag("--migratable", o->migratable, "drop features that cannot be migrated (invtsc, ...)");
  cmd->add_option("-o,--output", ctx.options.output, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->footer("Example:\n  preflight mask vm1 --hosts hostA hostB --inventory fixtures/lab/preflight.yaml");
  cmd->callback([o, &ctx] { run_mask(*o, ctx); });
}

}  // namespace preflight::cli
