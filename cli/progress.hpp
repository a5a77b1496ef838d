#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#include <mutex>
#include <string>

namespace preflight::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total);
  ~ProgressBar();  // ends the line when anything was drawn
  // Thread-safe: one more item done; `item` is shown after the counter.
  void advance(const std::string& item);

 private:
  void draw(const std::string& item);
  std::string label_;
  size_t total_;
  size_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::mutex mutex_;
};

}  // namespace preflight::cli
