#include "report/estimate_report.hpp"

#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace preflight {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string rate_text(double bytes_per_s) { return fmt::format("{:.1f} MiB/s", bytes_per_s / kMiB); }
std::string link_text(double bits_per_s) { return fmt::format("{:g} Gbit/s", bits_per_s / 1e9); }

nlohmann::json input_json(const EstimateInput& in, double scale = 1.0) {
  return {{"value", in.value * scale}, {"from", in.from}, {"assumed", in.assumed}};
}

}  // namespace

std::string format_bytes(double bytes) {
  if (bytes < 1.0) return "0 B";
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t u = 0;
  while (bytes >= 1024.0 && u + 1 < std::size(kUnits)) bytes /= 1024.0, ++u;
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[u]);
}

std::string format_duration(double s) {
  if (s < 1.0) return fmt::format("{:.0f} ms", s * 1000.0);
  if (s < 120.0) return fmt::format("{:.1f} s", s);
  const auto whole = static_cast<long long>(std::llround(s));
  if (whole < 7200) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

std::string render_estimate_text(const EstimateReport& r) {
  std::string out = fmt::format("preflight estimate: {} from {} to {}{}\n", r.vm, r.source, r.destination,
                                r.vm_state.empty() ? "" : " (" + r.vm_state + ")");
  if (!r.vm_state.empty() && r.vm_state != "running" && r.vm_state != "paused")
    out += fmt::format("note: {} is {}: moving it now is an offline move of its definition; the figures below are "
                       "for moving it while it runs\n",
                       r.vm, r.vm_state);
  auto line = [&](const char* name, const std::string& value, const EstimateInput& in) {
    out += fmt::format("  {:<13} {:<12} {}{}\n", name, value, in.assumed ? "unknown: " : "", in.from);
  };
  out += "\ninputs\n";
  line("memory", format_bytes(r.memory_bytes.value), r.memory_bytes);
  line("in use", format_bytes(r.used_bytes.value), r.used_bytes);
  line("dirty rate", rate_text(r.dirty_bytes_per_s.value), r.dirty_bytes_per_s);
  line("link", link_text(r.link_bits_per_s.value), r.link_bits_per_s);
  if (r.bandwidth_cap) line("bandwidth", rate_text(r.bandwidth_cap->value), *r.bandwidth_cap);
  line("max downtime", format_duration(r.max_downtime_s.value), r.max_downtime_s);
  if (r.auto_converge || r.postcopy)
    out += fmt::format("  {:<13} {}\n", "enabled", r.auto_converge && r.postcopy ? "auto-converge, post-copy"
                                                   : r.auto_converge           ? "auto-converge"
                                                                               : "post-copy after the first pass");
  out += fmt::format("  {:<13} setup {}, switch-over {}, zero pages at {} (QEMU's fixed costs, measured in the "
                     "lab by bench/estimate)\n",
                     "assumed", format_duration(r.costs.setup_s), format_duration(r.costs.switchover_s),
                     rate_text(r.costs.zero_page_bytes_per_s));

  out += "\nlive migration: pre-copy passes while the guest runs, then stop-and-copy while it is paused\n";
  out += fmt::format("  {:<13} {:>10}  {:>12}\n", "PASS", "SENT", "TIME");
  int n = 0;
  for (const PrecopyRound& round : r.live.rounds) {
    const std::string name = !round.stop_and_copy ? std::to_string(++n) : r.live.postcopy ? "post-copy" : "stop-and-copy";
    out += fmt::format("  {:<13} {:>10}  {:>12}\n", name, format_bytes(round.bytes), format_duration(round.seconds));
  }
  out += fmt::format("  total {}, downtime {}, {} iterations (bitmap syncs, as libvirt's job statistics count them)\n",
                     format_duration(r.live.total_s), format_duration(r.live.downtime_s), r.live.iterations);
  if (r.live.throttle > 0)
    out += fmt::format("  auto-converge slows the guest's vCPUs by {:.0f} %\n", r.live.throttle * 100);
  PrecopyInput stream;
  stream.link.bits_per_s = r.link_bits_per_s.value;
  if (r.bandwidth_cap) stream.bandwidth_cap_bytes_per_s = r.bandwidth_cap->value;
  const double stream_rate = stream_bytes_per_s(stream);
  if (!r.live.converges) {
    out += fmt::format("  does not converge: the guest dirties memory ({}) as fast as the stream sends it ({}); QEMU "
                       "would iterate until stopped: the figures are those of a stop forced when it stalls "
                       "(consider auto-converge, post-copy or a quick migration)\n",
                       rate_text(r.dirty_bytes_per_s.value), rate_text(stream_rate));
  }
  if (r.dirty_bytes_per_s.assumed)
    out += fmt::format("  pre-copy converges only while the guest dirties less than {} (the stream's rate)\n",
                       rate_text(stream_rate));

  out += "\nquick migration: suspend, save to shared storage, restore (memory crosses the link twice)\n";
  out += fmt::format("  total {}, all of it downtime\n", format_duration(r.quick.total_s));

  std::vector<std::string> assumed;
  if (r.memory_bytes.assumed) assumed.push_back("memory");
  if (r.used_bytes.assumed) assumed.push_back("memory in use");
  if (r.dirty_bytes_per_s.assumed) assumed.push_back("dirty rate");
  if (r.link_bits_per_s.assumed) assumed.push_back("link speed");
  if (!assumed.empty() || !r.check_verdict.empty()) out += "\n";
  if (!assumed.empty()) {
    std::string list;
    for (const auto& a : assumed) list += (list.empty() ? "" : ", ") + a;
    out += fmt::format("assumed, not known: {}; the figures are only as good as these\n", list);
  }
  if (!r.check_verdict.empty())
    out += fmt::format("check: {}{}\n", r.check_verdict,
                       r.check_verdict == "go" ? ""
                                               : fmt::format(" (preflight check {} {} says why)", r.vm, r.destination));
  return out;
}

nlohmann::json estimate_json(const EstimateReport& r) {
  nlohmann::json rounds = nlohmann::json::array();
  int n = 0;
  for (const PrecopyRound& round : r.live.rounds)
    rounds.push_back(
        {{"round", ++n}, {"bytes", round.bytes}, {"seconds", round.seconds}, {"stop_and_copy", round.stop_and_copy}});
  nlohmann::json assumed = nlohmann::json::array();
  if (r.memory_bytes.assumed) assumed.push_back("memory");
  if (r.used_bytes.assumed) assumed.push_back("used_memory");
  if (r.dirty_bytes_per_s.assumed) assumed.push_back("dirty_rate");
  if (r.link_bits_per_s.assumed) assumed.push_back("link");
  return {{"vm", r.vm},
          {"source", r.source},
          {"destination", r.destination},
          {"vm_state", r.vm_state},
          {"inputs",
           {{"memory_bytes", input_json(r.memory_bytes)},
            {"used_bytes", input_json(r.used_bytes)},
            {"dirty_bytes_per_s", input_json(r.dirty_bytes_per_s)},
            {"link_bits_per_s", input_json(r.link_bits_per_s)},
            {"bandwidth_bytes_per_s", r.bandwidth_cap ? input_json(*r.bandwidth_cap) : nlohmann::json(nullptr)},
            {"max_downtime_ms", input_json(r.max_downtime_s, 1000.0)},
            {"auto_converge", r.auto_converge},
            {"postcopy", r.postcopy},
            {"qemu_costs",
             {{"setup_s", r.costs.setup_s},
              {"switchover_ms", r.costs.switchover_s * 1000.0},
              {"zero_page_bytes_per_s", r.costs.zero_page_bytes_per_s}}}}},
          {"assumed", assumed},
          {"live",
           {{"total_s", r.live.total_s},
            {"downtime_ms", r.live.downtime_s * 1000.0},
            {"iterations", r.live.iterations},
            {"converges", r.live.converges},
            {"postcopy", r.live.postcopy},
            {"throttle", r.live.throttle},
            {"bytes_sent", r.live.bytes_sent},
            {"rounds", rounds}}},
          {"quick", {{"total_s", r.quick.total_s}, {"downtime_s", r.quick.downtime_s}}},
          {"check_verdict", r.check_verdict.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.check_verdict)}};
}

}  // namespace preflight
