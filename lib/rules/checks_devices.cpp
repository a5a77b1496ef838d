// Device and placement checks: host serial/parallel ports (R30), passthrough
// (R31), CPU pinning (R32).
#include "core/input_limits.hpp"
#include "rules/checks.hpp"
#include "rules/cpuset.hpp"

namespace preflight::checks {
namespace {

using nlohmann::json;

std::string join(const std::set<unsigned>& s) {
  std::string out;
  for (unsigned i : s) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out;
}

}  // namespace

CheckResult host_ports(const CheckContext& c, const json&) {
  std::vector<std::string> ports;
  std::vector<Subject> subjects;
  for (const auto& d : c.vm.chardevs) {
    if ((d.kind != "serial" && d.kind != "parallel") || d.type != "dev") continue;
    ports.push_back(d.kind + " port on host device " + d.source);
    add_subject(subjects, {Subject::Kind::device, d.source});
  }
  if (ports.empty()) return CheckResult::pass("no host serial or parallel port attached");
  return CheckResult::fire({{"ports", ports}}).about(subjects);
}

CheckResult hostdev(const CheckContext& c, const json&) {
  std::vector<std::string> devs;
  std::vector<Subject> subjects;  // a host device by its address, an SR-IOV NIC by its MAC
  for (const auto& h : c.vm.hostdevs) {
    devs.push_back(h.type + " " + h.address);
    add_subject(subjects, {Subject::Kind::device, h.address});
  }
  for (const auto& i : c.vm.interfaces) {
    if (i.type != "hostdev") continue;
    devs.push_back("interface " + i.mac + " (type hostdev: SR-IOV passthrough)");
    add_subject(subjects, {Subject::Kind::device, i.mac});
  }
  if (devs.empty()) return CheckResult::pass("no passthrough device");
  return CheckResult::fire({{"devices", devs}}).about(subjects);
}

CheckResult affinity(const CheckContext& c, const json&) {
  const auto& t = c.vm.cputune;
  std::vector<std::string> pins;
  std::set<unsigned> used;
  auto take = [&](const std::string& what, const std::string& cpuset) {
    if (cpuset.empty()) return;
    pins.push_back(what + " -> " + cpuset);
    for (unsigned i : parse_cpuset(cpuset)) used.insert(i);
  };
  take("vcpus", t.vcpu_cpuset);
  for (const auto& p : t.vcpupins) take("vcpu " + std::to_string(p.vcpu), p.cpuset);
  take("emulator", t.emulatorpin);
  if (pins.empty()) return CheckResult::pass("no CPU pinning");
  std::set<unsigned> have;
  if (const auto* online = c.destination.topology.online.get(); online && !online->empty()) {
    have = parse_cpuset(*online);
  } else if (const auto* n = c.destination.topology.cpus.get()) {
    // Pinned CPUs are at most kMaxCpuId (parse_cpuset), so CPUs above it need no entry.
    for (uint64_t i = 0; i < *n && i <= kMaxCpuId; ++i) have.insert(static_cast<unsigned>(i));
  } else {
    return CheckResult::unknown(c.destination, "topology.cpus", c.destination.topology.cpus.reason());
  }
  std::set<unsigned> absent;
  for (unsigned i : used)
    if (!have.count(i)) absent.insert(i);
  json ev = {{"pinning", pins}, {"destination_cpus", join(have)}};
  const std::vector<Subject> cpus = {{Subject::Kind::cpu, c.destination.name}};
  if (absent.empty()) return CheckResult::fire(ev, "pinned", Severity::warn).about(cpus);
  ev["missing_cpus"] = join(absent);
  return CheckResult::fire(ev, "missing_cpus", Severity::block).about(cpus);
}

}  // namespace preflight::checks
