#pragma once
// What a running guest does to its memory, read from its libvirt host: the rate at
// which it dirties pages (libvirt's dirty-rate calculation, QEMU's calc-dirty-rate)
// and how much of its memory holds data (libvirt's memory statistics). The inputs of
// a move's estimate that a domain definition cannot give.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace preflight {

// A measured figure with where it came from, or why there is none.
template <class T>
struct Measured {
  std::optional<T> value;
  std::string from;  // with a value: the source ("libvirt dirty-rate calculation on hostA, ..."); without: why not
};

struct GuestActivity {
  Measured<double> dirty_bytes_per_s;
  Measured<uint64_t> used_bytes;  // memory holding data: an upper bound of what pre-copy sends in full
};

// libvirt's domain statistics of one domain as name -> value (the typed parameters
// of VIR_DOMAIN_STATS_DIRTYRATE and VIR_DOMAIN_STATS_BALLOON, numbers only).
using DomainStats = std::map<std::string, double>;

// The dirty rate the statistics report: dirtyrate.megabytes_per_second once
// dirtyrate.calc_status says measured (2); `host` names where, for `from`. Pure.
Measured<double> dirty_rate_from_stats(const DomainStats& stats, const std::string& host);
// Memory holding data: balloon.rss (the QEMU process's resident memory; pages the
// guest never touched are not resident), at most balloon.current. Pure.
Measured<uint64_t> used_memory_from_stats(const DomainStats& stats, const std::string& host);

// Reads both from `uri` for the running domain `vm`. measure_seconds > 0: starts a
// dirty-rate calculation of that many seconds (needs a read-write connection) and
// waits for it, at most measure_seconds + 5 s; 0: the dirty rate is not measured.
// kvm: the domain runs on KVM, where the calculation counts every written page
// (dirty-bitmap mode); otherwise it samples pages (QEMU 7.2 under TCG ends the guest
// in dirty-bitmap mode). `host` names the host in `from`. Never throws: what cannot
// be read has no value and says why.
GuestActivity measure_guest(const std::string& uri, const std::string& host, const std::string& vm,
                            int measure_seconds, bool kvm);

}  // namespace preflight
