#pragma once
// Runs many moves at once within per-host limits (R45: at most N concurrent
// migrations per host). A move counts on its source and on its destination.
#include <functional>
#include <string>
#include <vector>

namespace preflight {

struct QueuedMove {
  std::string source;
  std::string destination;
};

// Starts the moves in the given order as far as the limits allow -- a move that
// must wait does not hold back a later one between hosts with room -- each
// `run(i)` on its own thread, and returns when every started move has ended.
// `limit(host)` is read once per host; values below 1 count as 1. `stop` (may be
// empty) is asked before each start and at least every 100 ms while waiting;
// once it says true, no further move starts. Returns, per move, whether it
// started. An exception thrown by `run` is rethrown here after all have ended.
std::vector<bool> run_moves(const std::vector<QueuedMove>& moves, const std::function<int(const std::string&)>& limit,
                            const std::function<void(size_t)>& run, const std::function<bool()>& stop = {});

}  // namespace preflight
