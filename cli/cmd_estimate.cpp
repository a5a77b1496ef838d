// preflight estimate VM DEST [--from SRC]: predicted total time and downtime of
// moving VM to DEST (R54), with the inputs used and where each came from.
// Exit 0 when estimated (even on assumptions), 2 when it cannot be.
#include <iostream>

#include <fmt/format.h>

#include "check/estimate_run.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "estimate/precopy.hpp"
#include "report/estimate_report.hpp"

namespace preflight::cli {
namespace {

struct EstimateArgs {
  std::string vm;
  std::string destination;
  std::string from;
  EstimateOptions inputs;
};

void run(Context& ctx, const EstimateArgs& o) {
  const CheckRun run = run_check(ctx.require_inventory(), ctx.check_setup(), o.vm, o.destination, o.from);
  const EstimateReport r = estimate_move(run, o.inputs);
  if (ctx.json()) ctx.print_json(estimate_json(r));
  else std::cout << render_estimate_text(r);
  ctx.exit_code = static_cast<int>(ExitCode::go);
}

}  // namespace

void register_estimate(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<EstimateArgs>();
  auto* cmd = app.add_subcommand("estimate", "predict the time and downtime of moving a VM");
  cmd->add_option("VM", o->vm, "the VM's name")->required();
  cmd->add_option("DEST", o->destination, "destination host (inventory name)")->required();
  cmd->add_option("--from", o->from, "source host (default: the inventory host the VM is on)");
  cmd->add_option("--dirty-rate", o->inputs.dirty_mib_s, "MiB/s the guest dirties (default: unknown, assumed idle)")
      ->check(number_in(0, kMaxDirtyBytesPerS / (1024.0 * 1024.0)));
  cmd->add_option("--link-gbit", o->inputs.link_gbit, "migration link speed in Gbit/s (default: the inventory's link_gbit)")
      ->check(number_in(kMinLinkBitsPerS / 1e9, kMaxLinkBitsPerS / 1e9));
  cmd->add_option("--max-downtime", o->inputs.max_downtime_ms, "allowed pause in ms (default 300, QEMU's)")
      ->check(number_in(kMinDowntimeS * 1000, kMaxDowntimeS * 1000));
  cmd->add_option("--bandwidth", o->inputs.bandwidth_mib_s, "the move's bandwidth cap in MiB/s (default: none)")
      ->check(number_in(kMinLinkBitsPerS / 8 / 1048576.0, kMaxLinkBitsPerS / 8 / 1048576.0));
  cmd->add_flag("--auto-converge", o->inputs.auto_converge, "the move throttles the guest when it outpaces the link");
  cmd->add_flag("--postcopy", o->inputs.postcopy, "the move switches to post-copy after the first pass");
  cmd->add_option("--measure-seconds", o->inputs.measure_seconds,
                  "seconds of libvirt's dirty-rate calculation on the source (default 2; 0: do not measure)")
      ->check(number_in(0, 60));
  add_output_option(cmd, ctx, {"text", "json"}, "json gives each input with its source");
  cmd->footer(
      "Live: QEMU's pre-copy: pages holding data cross at the stream's rate, untouched pages almost free; QEMU\n"
      "pauses the guest once what is left would cross within the allowed downtime. A running guest on a libvirt\n"
      "host is measured first: its dirty rate (libvirt's dirty-rate calculation, --measure-seconds) and the memory\n"
      "its QEMU holds. Quick: suspend to shared storage and resume (memory crosses the link twice).\n"
      "An input that is not known is assumed and said so. Exit status: 0 estimated, 2 could not estimate.\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight estimate db1 hostB                         32 GiB over an assumed 1 GbE, idle guest\n"
      "  preflight estimate db1 hostB --link-gbit 10 --dirty-rate 200\n"
      "  preflight estimate web1 hostB -o json");
  cmd->callback([&ctx, o] { run(ctx, *o); });
}

}  // namespace preflight::cli
