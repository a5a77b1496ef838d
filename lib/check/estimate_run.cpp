#include "check/estimate_run.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "collect/guest_activity.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "estimate/precopy.hpp"

namespace preflight {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kQemuDefaultDowntimeMs = 300;

// The fastest NIC of `h` that is up and reports a speed (Mbit/s, its name); empty
// when the facts list none (not collected, as in an old facts file; or none that
// libvirt lists among its node devices, as on the demo lab's test-driver hosts).
std::optional<std::pair<uint64_t, std::string>> fastest_nic(const HostFacts* h) {
  if (!h || !h->nics.known()) return std::nullopt;
  std::optional<std::pair<uint64_t, std::string>> best;
  for (const NicFacts& n : h->nics.value())
    if (n.up && n.speed_mbps.known() && (!best || n.speed_mbps.value() > best->first))
      best = std::pair{n.speed_mbps.value(), n.name};
  return best;
}

std::string gbit_text(double mbps) { return fmt::format("{:g} Gbit/s", mbps / 1000.0); }

// In priority order: --link-gbit; the inventory's link_gbit (the slower host when
// both say); the NIC speed the hosts' collected facts carry (the slower of the two);
// an assumed 1 GbE. A measured throughput of the migration link would come before the
// NIC speed, but there is none: the link test only times a TCP connect (README,
// "An estimate"), and a connect time says nothing about bandwidth.
EstimateInput link_input(std::optional<double> given, const InventoryHost* source, const InventoryHost* destination,
                         const HostFacts* source_facts, const HostFacts* destination_facts) {
  if (given) return {*given * 1e9, "--link-gbit", false};
  std::vector<std::pair<double, std::string>> known;
  for (const InventoryHost* h : {source, destination})
    if (h && h->link_gbit) known.emplace_back(*h->link_gbit, h->name);
  if (known.size() == 2 && known[0].first != known[1].first) {
    const auto& slow = known[0].first < known[1].first ? known[0] : known[1];
    return {slow.first * 1e9, fmt::format("link_gbit of {} in the inventory (the slower of the two hosts)", slow.second),
            false};
  }
  if (!known.empty()) return {known[0].first * 1e9, fmt::format("link_gbit of {} in the inventory", known[0].second), false};

  // Which NIC carries the migration is not known (the facts hold no routes), so each
  // host counts with its fastest NIC that is up: an upper bound for that host.
  const auto src_nic = fastest_nic(source_facts);
  const auto dst_nic = fastest_nic(destination_facts);
  const auto host_name = [](const HostFacts* h) { return h ? h->name : std::string("?"); };
  if (src_nic && dst_nic) {
    const double mbps = static_cast<double>(std::min(src_nic->first, dst_nic->first));
    return {mbps * 1e6,
            fmt::format("NIC speed of {}/{} (collect: {} {}, {} {}; the slower of the two, each host's fastest NIC "
                        "that is up -- which NIC carries the migration is not known)",
                        host_name(source_facts), host_name(destination_facts), src_nic->second,
                        gbit_text(static_cast<double>(src_nic->first)), dst_nic->second,
                        gbit_text(static_cast<double>(dst_nic->first))),
            false};
  }
  if (src_nic || dst_nic) {
    const HostFacts* with = src_nic ? source_facts : destination_facts;
    const HostFacts* without = src_nic ? destination_facts : source_facts;
    const auto& nic = src_nic ? *src_nic : *dst_nic;
    // The other end may be slower: a guess, and said to be one (check's summary lists it).
    return {static_cast<double>(nic.first) * 1e6,
            fmt::format("assumed from one end: NIC speed of {} (collect: {} {}, its fastest NIC that is up); {}'s "
                        "NIC speed is not known (collect it with `preflight collect` on it, or state link_gbit:)",
                        host_name(with), nic.second, gbit_text(static_cast<double>(nic.first)), host_name(without)),
            true};
  }
  return {1e9, "assumed 1 GbE (not measured: the migration-link test times a TCP connect, not throughput; state "
               "link_gbit: for the hosts in the inventory, give --link-gbit; NIC speeds come from `preflight collect` on "
               "a host, or from the NICs libvirt lists among its node devices)",
          true};
}

bool running(const std::string& state) { return state == "running" || state == "paused" || state == "blocked"; }

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
  const double memory = static_cast<double>(run.vm.memory_kib) * 1024.0;
  r.memory_bytes = {memory, fmt::format("the domain's <memory> on {}", r.source), false};

  // What only the running guest can say, from its libvirt host.
  GuestActivity activity;
  const bool on_libvirt = run.source && !run.source->libvirt.empty();
  if (!running(run.vm.state)) {
    activity.dirty_bytes_per_s.from = activity.used_bytes.from = fmt::format("not measured: {} is {}", r.vm, r.vm_state);
  } else if (!on_libvirt) {
    activity.dirty_bytes_per_s.from = activity.used_bytes.from =
        fmt::format("not measured: {} is read from a facts file, not a libvirt connection", r.source);
  } else {
    activity = measure_guest(run.source->libvirt, r.source, r.vm, o.dirty_mib_s ? 0 : o.measure_seconds,
                             run.vm.virt_type == "kvm");
  }

  if (o.dirty_mib_s) r.dirty_bytes_per_s = {*o.dirty_mib_s * kMiB, "--dirty-rate", false};
  else if (activity.dirty_bytes_per_s.value) r.dirty_bytes_per_s = {*activity.dirty_bytes_per_s.value, activity.dirty_bytes_per_s.from, false};
  else
    r.dirty_bytes_per_s = {0,
                           fmt::format("assumed 0, an idle guest ({}): the live figures are a lower bound (give "
                                       "--dirty-rate MiB/s)",
                                       activity.dirty_bytes_per_s.from),
                           true};
  if (activity.used_bytes.value)
    r.used_bytes = {std::min(memory, static_cast<double>(*activity.used_bytes.value)), activity.used_bytes.from, false};
  else
    r.used_bytes = {memory, fmt::format("assumed all of it ({})", activity.used_bytes.from), true};
  r.link_bits_per_s = link_input(o.link_gbit, run.source, run.destination, &run.source_facts, &run.destination_facts);
  if (o.bandwidth_mib_s) r.bandwidth_cap = EstimateInput{*o.bandwidth_mib_s * kMiB, "--bandwidth", false};
  r.max_downtime_s = {o.max_downtime_ms.value_or(kQemuDefaultDowntimeMs) / 1000.0,
                      o.max_downtime_ms ? "--max-downtime" : "QEMU's default limit (--max-downtime MS)", false};
  r.auto_converge = o.auto_converge;
  r.postcopy = o.postcopy;

  PrecopyInput in;
  const std::optional<uint64_t> memory_bytes = checked_mul(run.vm.memory_kib, 1024);
  if (!memory_bytes)
    throw Error(fmt::format("cannot estimate moving '{}': its memory of {} KiB is above 2^64 bytes", run.vm.name,
                            run.vm.memory_kib),
                "check the domain's <memory>");
  in.memory_bytes = *memory_bytes;
  if (!r.used_bytes.assumed) in.used_bytes = static_cast<uint64_t>(r.used_bytes.value);
  in.dirty_bytes_per_s = r.dirty_bytes_per_s.value;
  in.link.bits_per_s = r.link_bits_per_s.value;
  if (r.bandwidth_cap) in.bandwidth_cap_bytes_per_s = r.bandwidth_cap->value;
  in.max_downtime_s = r.max_downtime_s.value;
  in.auto_converge = o.auto_converge;
  in.postcopy = o.postcopy;
  r.costs = in.costs;
  check_precopy_input(in);
  r.live = estimate_precopy(in);
  r.quick = estimate_quick(in.memory_bytes, in.link);
  return r;
}

Estimate summary_estimate(const VmFacts& vm, const InventoryHost* source, const InventoryHost* destination,
                          const HostFacts* source_facts, const HostFacts* destination_facts,
                          std::optional<double> bandwidth_mib_s, std::optional<double> max_downtime_ms) {
  const EstimateInput link = link_input(std::nullopt, source, destination, source_facts, destination_facts);
  PrecopyInput in;
  in.memory_bytes = vm.memory_kib * 1024;
  in.link.bits_per_s = link.value;
  if (bandwidth_mib_s) in.bandwidth_cap_bytes_per_s = *bandwidth_mib_s * kMiB;
  if (max_downtime_ms) in.max_downtime_s = *max_downtime_ms / 1000.0;
  const MoveEstimate e = estimate_precopy(in);
  Estimate out;
  out.total_s = e.total_s;
  out.downtime_ms = e.downtime_s * 1000.0;
  out.iterations = e.iterations;
  out.bytes_sent = e.bytes_sent;
  if (e.converges) out.suggested_timeout_s = std::ceil((2.0 * e.total_s + 30.0) / 10.0) * 10.0;
  if (link.assumed) out.assumed.push_back("a 1 Gbit/s link");
  out.assumed.push_back("an idle guest");
  out.assumed.push_back("all memory in use");
  return out;
}

}  // namespace preflight
