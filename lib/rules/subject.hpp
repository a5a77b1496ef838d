#pragma once
// What a finding is about: typed items named as the facts name them. A check sets
// its result's subjects from the facts it judged, never from its own text, so a
// renderer can tie a finding to a network, bridge, disk or pool however the rule's
// message or the evidence is worded.
#include <algorithm>
#include <string>
#include <vector>

namespace preflight {

struct Subject {
  // network: a libvirt network's name; bridge: a host bridge's name; disk: the
  // disk's target in the guest ("vda"); pool: a storage pool's name; device: a
  // passthrough device or host port as the VM's definition names it; cpu, memory,
  // host: the host's CPU, memory, or the host itself, named by the host's name.
  enum class Kind { network, bridge, disk, pool, device, cpu, memory, host };
  Kind kind = Kind::host;
  std::string name;

  bool operator==(const Subject&) const = default;
};

// "network", "bridge", "disk", "pool", "device", "cpu", "memory", "host".
inline const char* to_string(Subject::Kind k) {
  switch (k) {
    case Subject::Kind::network: return "network";
    case Subject::Kind::bridge: return "bridge";
    case Subject::Kind::disk: return "disk";
    case Subject::Kind::pool: return "pool";
    case Subject::Kind::device: return "device";
    case Subject::Kind::cpu: return "cpu";
    case Subject::Kind::memory: return "memory";
    case Subject::Kind::host: return "host";
  }
  return "host";
}

// Appends `s` unless `list` holds it already: a subject is listed once, in the
// order first met.
inline void add_subject(std::vector<Subject>& list, Subject s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(std::move(s));
}

}  // namespace preflight
