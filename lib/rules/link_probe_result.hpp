#pragma once
// The outcome of a TCP connection test to a destination's migration address
// (collect/link_probe.hpp does the I/O; the engine reads this fact).
#include <string>

namespace preflight {

struct LinkProbeResult {
  std::string address;   // host:port that was tried
  bool reachable = false;
  double connect_ms = 0.0;  // time to connect when reachable
  std::string error;        // why not, when unreachable
};

}  // namespace preflight
