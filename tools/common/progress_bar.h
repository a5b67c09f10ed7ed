// The progress bar docdbctl draws on standard error while a long operation runs
// (docs/admin.md, "Progress"): only on a terminal, redrawn ten times a second by a thread
// of its own, its last state left on the screen when the operation ends.
// Thread-safety: the callback from any thread; the rest from the tool's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "docdb/progress.h"

namespace docdb::tools {

class ProgressBar {
 public:
  // Draws `label`'s bar on standard error when `terminal`; otherwise draws nothing.
  ProgressBar(std::string label, bool terminal);
  // Draws the last state, ends the line, and stops the drawing thread.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // What to hand to the operation; valid while the bar lives.
  ProgressCallback Callback();

  // The line for `progress` after `elapsed_s` seconds: "verify [#####.....]  50%  1.2 s",
  // or, while no total is known (total == 0), "verify ...  1.2 s".
  static std::string Line(std::string_view label, const Progress& progress, double elapsed_s);

 private:
  void Draw();
  void Run();

  const std::string label_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread drawer_;     // only on a terminal
};

}  // namespace docdb::tools
