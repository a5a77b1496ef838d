#include "collect/guest_activity.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "collect/libvirt_client.hpp"

namespace preflight {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::optional<double> get(const DomainStats& s, const std::string& name) {
  auto it = s.find(name);
  if (it == s.end()) return std::nullopt;
  return it->second;
}

DomainStats stats_of(virDomainPtr dom, unsigned int types) {
  virDomainPtr doms[] = {dom, nullptr};
  virDomainStatsRecordPtr* records = nullptr;
  DomainStats out;
  const int n = virDomainListGetStats(doms, types, &records, 0);
  if (n < 0) return out;
  for (int r = 0; r < n; ++r)
    for (int i = 0; i < records[r]->nparams; ++i) {
      const virTypedParameter& p = records[r]->params[i];
      switch (p.type) {
        case VIR_TYPED_PARAM_INT: out[p.field] = p.value.i; break;
        case VIR_TYPED_PARAM_UINT: out[p.field] = p.value.ui; break;
        case VIR_TYPED_PARAM_LLONG: out[p.field] = static_cast<double>(p.value.l); break;
        case VIR_TYPED_PARAM_ULLONG: out[p.field] = static_cast<double>(p.value.ul); break;
        case VIR_TYPED_PARAM_DOUBLE: out[p.field] = p.value.d; break;
        default: break;
      }
    }
  virDomainStatsRecordListFree(records);
  return out;
}

}  // namespace

Measured<double> dirty_rate_from_stats(const DomainStats& stats, const std::string& host) {
  const auto status = get(stats, "dirtyrate.calc_status");
  const auto mbps = get(stats, "dirtyrate.megabytes_per_second");
  if (!status || *status != static_cast<double>(VIR_DOMAIN_DIRTYRATE_MEASURED) || !mbps)
    return {std::nullopt, fmt::format("libvirt on {} reported no finished dirty-rate calculation", host)};
  const auto period = get(stats, "dirtyrate.calc_period");
  return {*mbps * kMiB, fmt::format("measured by libvirt on {} (dirty-rate calculation{})", host,
                                    period ? fmt::format(", {:g} s", *period) : "")};
}

Measured<uint64_t> used_memory_from_stats(const DomainStats& stats, const std::string& host) {
  const auto rss = get(stats, "balloon.rss");
  if (!rss || *rss <= 0) return {std::nullopt, fmt::format("libvirt on {} reported no resident memory (balloon.rss)", host)};
  double kib = *rss;
  if (const auto current = get(stats, "balloon.current"); current && *current > 0) kib = std::min(kib, *current);
  return {static_cast<uint64_t>(kib) * 1024,
          fmt::format("resident memory of the guest's QEMU on {} (libvirt balloon.rss; pages never touched are "
                      "sent as zero pages)",
                      host)};
}

GuestActivity measure_guest(const std::string& uri, const std::string& host, const std::string& vm,
                            int measure_seconds, bool kvm) {
  GuestActivity out;
  out.dirty_bytes_per_s.from = "not measured (--measure-seconds 0)";
  ConnectionHandle conn;
  try {
    conn = measure_seconds > 0 ? open_read_write(uri, "measuring a guest's dirty rate") : open_read_only(uri);
  } catch (const std::exception& e) {
    out.dirty_bytes_per_s.from = out.used_bytes.from = fmt::format("not measured: {}", e.what());
    return out;
  }
  DomainHandle dom(virDomainLookupByName(conn.get(), vm.c_str()));
  if (!dom) {
    out.dirty_bytes_per_s.from = out.used_bytes.from =
        fmt::format("not measured: {} on {}: {}", vm, host, last_libvirt_error());
    return out;
  }
  out.used_bytes = used_memory_from_stats(stats_of(dom.get(), VIR_DOMAIN_STATS_BALLOON), host);
  if (measure_seconds <= 0) return out;

  // Dirty-bitmap mode counts every page written; page sampling (the only mode of
  // older QEMU) hashes 512 pages per GiB and is coarse on small guests.
  int started = -1;
  std::string mode = "dirty-bitmap";
  if (kvm) started = virDomainStartDirtyRateCalc(dom.get(), measure_seconds, VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP);
  if (started < 0) {
    started = virDomainStartDirtyRateCalc(dom.get(), measure_seconds, 0);
    mode = "page sampling";
  }
  if (started < 0) {
    out.dirty_bytes_per_s.from = fmt::format("not measured: libvirt on {}: {}", host, last_libvirt_error());
    return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(measure_seconds + 5);
  std::this_thread::sleep_for(std::chrono::seconds(measure_seconds));
  while (true) {
    const DomainStats s = stats_of(dom.get(), VIR_DOMAIN_STATS_DIRTYRATE);
    const auto status = s.find("dirtyrate.calc_status");
    if (status != s.end() && status->second == static_cast<double>(VIR_DOMAIN_DIRTYRATE_MEASURED)) {
      out.dirty_bytes_per_s = dirty_rate_from_stats(s, host);
      if (out.dirty_bytes_per_s.value)
        out.dirty_bytes_per_s.from = fmt::format("measured by libvirt on {} ({}, {} s)", host, mode, measure_seconds);
      return out;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      out.dirty_bytes_per_s.from =
          fmt::format("not measured: libvirt on {} did not finish the dirty-rate calculation within {} s", host,
                      measure_seconds + 5);
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace preflight
