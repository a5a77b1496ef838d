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
  line("dirty rate", rate_text(r.dirty_bytes_per_s.value), r.dirty_bytes_per_s);
  line("link", link_text(r.link_bits_per_s.value), r.link_bits_per_s);
  line("max downtime", format_duration(r.max_downtime_s.value), r.max_downtime_s);

  out += "\nlive migration: pre-copy rounds while the guest runs, then stop-and-copy while it is paused\n";
  out += fmt::format("  {:<13} {:>10}  {:>12}\n", "ITERATION", "SENT", "TIME");
  int n = 0;
  for (const PrecopyRound& round : r.live.rounds) {
    const std::string name = round.stop_and_copy ? "stop-and-copy" : std::to_string(++n);
    out += fmt::format("  {:<13} {:>10}  {:>12}\n", name, format_bytes(round.bytes), format_duration(round.seconds));
  }
  out += fmt::format("  total {}, downtime {}, {} pre-copy iteration{}\n", format_duration(r.live.total_s),
                     format_duration(r.live.downtime_s), r.live.iterations, r.live.iterations == 1 ? "" : "s");
  const double link_bytes = r.link_bits_per_s.value / 8.0;
  if (!r.live.converges) {
    out += fmt::format("  does not converge: the guest dirties memory ({}) as fast as the link sends it ({}); the "
                       "rest goes while it is paused (consider auto-converge, post-copy or a quick migration)\n",
                       rate_text(r.dirty_bytes_per_s.value), rate_text(link_bytes));
  } else if (r.live.downtime_s > r.max_downtime_s.value) {
    out += fmt::format("  the iteration cap forces the stop-and-copy: downtime {} is above the {} limit\n",
                       format_duration(r.live.downtime_s), format_duration(r.max_downtime_s.value));
  }
  if (r.dirty_bytes_per_s.assumed)
    out += fmt::format("  pre-copy converges only while the guest dirties less than {} (the link rate)\n",
                       rate_text(link_bytes));

  out += "\nquick migration: suspend, save to shared storage, restore (memory crosses the link twice)\n";
  out += fmt::format("  total {}, all of it downtime\n", format_duration(r.quick.total_s));

  std::vector<std::string> assumed;
  if (r.memory_bytes.assumed) assumed.push_back("memory");
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
  if (r.dirty_bytes_per_s.assumed) assumed.push_back("dirty_rate");
  if (r.link_bits_per_s.assumed) assumed.push_back("link");
  return {{"vm", r.vm},
          {"source", r.source},
          {"destination", r.destination},
          {"vm_state", r.vm_state},
          {"inputs",
           {{"memory_bytes", input_json(r.memory_bytes)},
            {"dirty_bytes_per_s", input_json(r.dirty_bytes_per_s)},
            {"link_bits_per_s", input_json(r.link_bits_per_s)},
            {"max_downtime_ms", input_json(r.max_downtime_s, 1000.0)}}},
          {"assumed", assumed},
          {"live",
           {{"total_s", r.live.total_s},
            {"downtime_ms", r.live.downtime_s * 1000.0},
            {"iterations", r.live.iterations},
            {"converges", r.live.converges},
            {"rounds", rounds}}},
          {"quick", {{"total_s", r.quick.total_s}, {"downtime_s", r.quick.downtime_s}}},
          {"check_verdict", r.check_verdict.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.check_verdict)}};
}

}  // namespace preflight
