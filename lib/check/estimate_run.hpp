#pragma once
// `preflight estimate`'s job: the inputs of a move's estimate, each with where it
// came from (measured, given, or assumed and said so), and the estimate itself.
#include <optional>

#include "check/check_run.hpp"
#include "report/estimate_report.hpp"

namespace preflight {

struct EstimateOptions {
  std::optional<double> dirty_mib_s;      // --dirty-rate; empty: measured, else assumed idle
  // --link-gbit; empty: the inventory's link_gbit, else the hosts' NIC speeds
  // (collected facts), else assumed 1 GbE
  std::optional<double> link_gbit;
  std::optional<double> max_downtime_ms;  // --max-downtime; empty: QEMU's default 300 ms
  std::optional<double> bandwidth_mib_s;  // --bandwidth: the migration's cap; empty: none
  bool auto_converge = false;
  bool postcopy = false;                  // post-copy after the first pass
  // Seconds of libvirt's dirty-rate calculation on the source (the estimate waits
  // that long); 0: not measured. Ignored when dirty_mib_s is given.
  int measure_seconds = 2;
};

// The estimate of the move `run` checked: measures the running guest on its source
// (dirty rate, memory in use) where the source is a libvirt host. Throws Error when
// the VM's memory size is not known.
EstimateReport estimate_move(const CheckRun& run, const EstimateOptions& o);

// The estimate a check's summary line shows, measuring nothing: the VM's memory, an
// idle guest, all memory in use, and the link as estimate_move takes it without
// --link-gbit (the inventory's link_gbit, else the hosts' NIC speeds from their
// facts, else an assumed 1 GbE); any host or facts pointer may be null. `assumed`
// lists what was assumed. bandwidth_mib_s, max_downtime_ms: the move's own cap and
// limit (`preflight migrate`, `--evacuate`).
Estimate summary_estimate(const VmFacts& vm, const InventoryHost* source, const InventoryHost* destination,
                          const HostFacts* source_facts, const HostFacts* destination_facts,
                          std::optional<double> bandwidth_mib_s = std::nullopt,
                          std::optional<double> max_downtime_ms = std::nullopt);

}  // namespace preflight
