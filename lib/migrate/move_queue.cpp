#include "migrate/move_queue.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace preflight {

std::vector<bool> run_moves(const std::vector<QueuedMove>& moves, const std::function<int(const std::string&)>& limit,
                            const std::function<void(size_t)>& run, const std::function<bool()>& stop) {
  std::map<std::string, int> limits, busy;
  for (const auto& m : moves)
    for (const std::string* host : {&m.source, &m.destination})
      if (!limits.contains(*host)) limits[*host] = std::max(1, limit(*host));

  std::mutex mutex;
  std::condition_variable ended;
  std::vector<bool> started(moves.size(), false);
  std::exception_ptr failure;
  std::vector<std::thread> threads;
  size_t pending = moves.size();
  int running = 0;

  // A move counts once on each host it touches.
  auto hosts = [](const QueuedMove& m) {
    std::vector<const std::string*> h{&m.source};
    if (m.destination != m.source) h.push_back(&m.destination);
    return h;
  };
  auto has_room = [&](const QueuedMove& m) {
    for (const std::string* h : hosts(m))
      if (busy[*h] >= limits[*h]) return false;
    return true;
  };

  std::unique_lock lock(mutex);
  while (pending > 0) {
    if (stop && stop()) break;
    bool launched = false;
    for (size_t i = 0; i < moves.size(); ++i) {
      if (started[i] || !has_room(moves[i])) continue;
      started[i] = true;
      --pending;
      ++running;
      for (const std::string* h : hosts(moves[i])) ++busy[*h];
      launched = true;
      threads.emplace_back([&, i] {
        try {
          run(i);
        } catch (...) {
          std::lock_guard guard(mutex);
          if (!failure) failure = std::current_exception();
        }
        std::lock_guard guard(mutex);
        --running;
        for (const std::string* h : hosts(moves[i])) --busy[*h];
        ended.notify_all();
      });
      break;  // re-ask stop() before every start
    }
    if (!launched) ended.wait_for(lock, std::chrono::milliseconds(100));
  }
  ended.wait(lock, [&] { return running == 0; });
  lock.unlock();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return started;
}

}  // namespace preflight
