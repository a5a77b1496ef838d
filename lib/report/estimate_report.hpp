#pragma once
// `preflight estimate` output (R54): the inputs with where each came from, the
// predicted pre-copy rounds, total time and downtime of a live move, and the
// quick-migration time. Formatting only; the figures come from estimate/precopy.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "estimate/precopy.hpp"

namespace preflight {

// An input of the estimate. `from` says where the value came from, or -- when
// `assumed` -- that it is not known and what was taken instead.
struct EstimateInput {
  double value = 0;
  std::string from;
  bool assumed = false;
};

struct EstimateReport {
  std::string vm, source, destination;
  std::string vm_state;  // running|shutoff|...; a VM not running is moved offline today
  EstimateInput memory_bytes;
  EstimateInput used_bytes;  // memory holding data; assumed: all of memory_bytes
  EstimateInput dirty_bytes_per_s;
  EstimateInput link_bits_per_s;
  std::optional<EstimateInput> bandwidth_cap;  // bytes/s; empty: no cap
  EstimateInput max_downtime_s;
  bool auto_converge = false;
  bool postcopy = false;
  QemuCosts costs;  // the model's fixed costs (measured in the lab, assumed here)
  std::string check_verdict;  // "go" | "warn" | "no-go" of the check of the same move; empty when not run
  MoveEstimate live;   // estimate_precopy of the inputs
  MoveEstimate quick;  // estimate_quick of the inputs
};

// Multi-line text: inputs, the round table, live totals, quick total.
std::string render_estimate_text(const EstimateReport& r);
// {vm, source, destination, vm_state, inputs{memory_bytes, used_bytes,
// dirty_bytes_per_s, link_bits_per_s, bandwidth_bytes_per_s (null: no cap),
// max_downtime_ms: {value, from, assumed}, auto_converge, postcopy, qemu_costs{setup_s,
// switchover_ms, zero_page_bytes_per_s}}, assumed[names], live{total_s, downtime_ms,
// iterations, converges, postcopy, throttle, bytes_sent, rounds[{round, bytes,
// seconds, stop_and_copy}]}, quick{total_s, downtime_s}, check_verdict}
nlohmann::json estimate_json(const EstimateReport& r);

// "512.0 MiB", "32.0 GiB", "0 B": binary units, one decimal.
std::string format_bytes(double bytes);
// "8.6 s", "1 min 14 s", "2 h 05 min", "120 ms" below one second.
std::string format_duration(double seconds);

}  // namespace preflight
