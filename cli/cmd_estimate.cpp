// preflight estimate VM DEST [--from SRC]: predicted total time and downtime of
// moving VM to DEST (R54), with the inputs used and where each came from.
// Exit 0 when estimated (even on assumptions), 2 when it cannot be.
#include <iostream>

#include <fmt/format.h>

#include "check/check_run.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "estimate/precopy.hpp"
#include "report/estimate_report.hpp"

namespace preflight::cli {
namespace {

struct EstimateOptions {
  std::string vm;
  std::string destination;
  std::string from;
  std::optional<double> dirty_mib_s;
  std::optional<double> link_gbit;
  double max_downtime_ms = 300;
  bool max_downtime_given = false;
};

constexpr double kMiB = 1024.0 * 1024.0;

// --link-gbit, else the inventory's link_gbit (the slower host when both say),
// else an assumed 1 GbE.
EstimateInput link_input(const EstimateOptions& o, const CheckRun& run) {
  if (o.link_gbit) return {*o.link_gbit * 1e9, "--link-gbit", false};
  std::vector<std::pair<double, std::string>> known;
  for (const InventoryHost* h : {run.source, run.destination})
    if (h && h->link_gbit) known.emplace_back(*h->link_gbit, h->name);
  if (known.size() == 2 && known[0].first != known[1].first) {
    const auto& slow = known[0].first < known[1].first ? known[0] : known[1];
    return {slow.first * 1e9, fmt::format("link_gbit of {} in the inventory (the slower of the two hosts)", slow.second),
            false};
  }
  if (!known.empty()) return {known[0].first * 1e9, fmt::format("link_gbit of {} in the inventory", known[0].second), false};
  return {1e9, "assumed 1 GbE (state link_gbit: for the hosts in the inventory, or give --link-gbit)", true};
}

void run(Context& ctx, const EstimateOptions& o) {
  const CheckRun run = run_check(ctx.require_inventory(), ctx.check_setup(), o.vm, o.destination, o.from);
  if (run.vm.memory_kib == 0)
    throw Error(fmt::format("cannot estimate moving '{}': its memory size is not known (the domain on '{}' states none)",
                            o.vm, run.source_facts.name),
                "the estimate needs the VM's <memory>; check the domain definition");

  EstimateReport r;
  r.vm = run.vm.name;
  r.source = run.source_facts.name;
  r.destination = run.destination_facts.name;
  r.vm_state = run.vm.state;
  r.check_verdict = to_string(run.verdict.verdict);
  r.memory_bytes = {static_cast<double>(run.vm.memory_kib) * 1024.0,
                    fmt::format("the domain's <memory> on {}", r.source), false};
  r.dirty_bytes_per_s =
      o.dirty_mib_s ? EstimateInput{*o.dirty_mib_s * kMiB, "--dirty-rate", false}
                    : EstimateInput{0, "assumed 0, an idle guest: the live figures are a lower bound "
                                       "(give --dirty-rate MiB/s)", true};
  r.link_bits_per_s = link_input(o, run);
  r.max_downtime_s = {o.max_downtime_ms / 1000.0,
                      o.max_downtime_given ? "--max-downtime" : "QEMU's default limit (--max-downtime MS)", false};

  PrecopyInput in;
  in.memory_bytes = run.vm.memory_kib * 1024;
  in.dirty_bytes_per_s = r.dirty_bytes_per_s.value;
  in.link.bits_per_s = r.link_bits_per_s.value;
  in.max_downtime_s = r.max_downtime_s.value;
  r.live = estimate_precopy(in);
  r.quick = estimate_quick(in.memory_bytes, in.link);

  if (ctx.options.output == "json") std::cout << estimate_json(r).dump(2) << "\n";
  else std::cout << render_estimate_text(r);
  ctx.exit_code = static_cast<int>(ExitCode::go);
}

}  // namespace

void register_estimate(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<EstimateOptions>();
  auto* cmd = app.add_subcommand("estimate", "predicted total time and downtime of moving VM to DEST");
  cmd->add_option("VM", o->vm, "the VM's name")->required();
  cmd->add_option("DEST", o->destination, "destination host (inventory name)")->required();
  cmd->add_option("--from", o->from, "source host (default: the inventory host the VM is on)");
  cmd->add_option("--dirty-rate", o->dirty_mib_s, "MiB/s the guest dirties (default: unknown, assumed idle)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--link-gbit", o->link_gbit, "migration link speed in Gbit/s (default: the inventory's link_gbit)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-downtime", o->max_downtime_ms, "allowed pause in ms (default 300, QEMU's)")
      ->check(CLI::PositiveNumber)
      ->each([o](const std::string&) { o->max_downtime_given = true; });
  cmd->add_option("-o,--output", ctx.options.output, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->footer(
      "Live: pre-copy rounds (each sends what the guest dirtied during the last) until the rest fits the allowed\n"
      "downtime, then stop-and-copy. Quick: suspend to shared storage and resume (memory crosses the link twice).\n"
      "An input that is not known is assumed and said so. Exit status: 0 estimated, 2 could not estimate.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight estimate db1 hostB                         32 GiB over an assumed 1 GbE, idle guest\n"
      "  preflight estimate db1 hostB --link-gbit 10 --dirty-rate 200\n"
      "  preflight estimate web1 hostB -o json");
  cmd->callback([&ctx, o] { run(ctx, *o); });
}

}  // namespace preflight::cli
