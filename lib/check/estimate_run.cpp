#include "check/estimate_run.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/number.hpp"
#include "estimate/precopy.hpp"

namespace preflight {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kQemuDefaultDowntimeMs = 300;

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

}  // namespace

EstimateReport estimate_move(const CheckRun& run, const EstimateOptions& o) {
  if (run.vm.memory_kib == 0)
    throw Error(fmt::format("cannot estimate moving '{}': its memory size is not known (the domain on '{}' states none)",
                            run.vm.name, run.source_facts.name),
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
  r.max_downtime_s = {o.max_downtime_ms.value_or(kQemuDefaultDowntimeMs) / 1000.0,
                      o.max_downtime_ms ? "--max-downtime" : "QEMU's default limit (--max-downtime MS)", false};
  PrecopyInput in;
  const std::optional<uint64_t> memory_bytes = checked_mul(run.vm.memory_kib, 1024);
  if (!memory_bytes)
    throw Error(fmt::format("cannot estimate moving '{}': its memory of {} KiB is above 2^64 bytes", run.vm.name,
                            run.vm.memory_kib),
                "check the domain's <memory>");
  in.memory_bytes = *memory_bytes;
  in.dirty_bytes_per_s = r.dirty_bytes_per_s.value;
  in.link.bits_per_s = r.link_bits_per_s.value;
  in.max_downtime_s = r.max_downtime_s.value;
  check_precopy_input(in);
  r.live = estimate_precopy(in);
  r.quick = estimate_quick(in.memory_bytes, in.link);
  return r;
}

}  // namespace preflight
