#pragma once
// `preflight estimate`'s job: the inputs of a move's estimate, each with where it
// came from (measured, given, or assumed and said so), and the estimate itself.
#include <optional>

#include "check/check_run.hpp"
#include "report/estimate_report.hpp"

namespace preflight {

struct EstimateOptions {
  std::optional<double> dirty_mib_s;      // --dirty-rate; empty: unknown, assumed idle
  std::optional<double> link_gbit;        // --link-gbit; empty: the inventory's link_gbit, else assumed 1 GbE
  std::optional<double> max_downtime_ms;  // --max-downtime; empty: QEMU's default 300 ms
};

// The estimate of the move `run` checked. Throws Error when the VM's memory size
// is not known.
EstimateReport estimate_move(const CheckRun& run, const EstimateOptions& o);

}  // namespace preflight
