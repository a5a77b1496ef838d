#pragma once
// Runs work(i) for every i in [0, n) on at most `max_threads` threads (the calling
// thread is not one of them). Each index runs exactly once; the call returns when
// all have run. work must not throw (catch inside and record the error).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace preflight {

template <class Work>
void parallel_for(size_t n, size_t max_threads, Work&& work) {
  if (n == 0) return;
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) work(i);
  };
  const size_t threads = std::clamp<size_t>(max_threads, 1, n);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
}

}  // namespace preflight
