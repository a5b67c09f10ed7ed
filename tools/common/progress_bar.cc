// The tools' progress bar (tools/common/progress_bar.h).
#include "tools/common/progress_bar.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace docdb::tools {
namespace {

constexpr int kBarColumns = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

ProgressBar::ProgressBar(std::string label, bool terminal)
    : label_(std::move(label)), started_(std::chrono::steady_clock::now()) {
  if (terminal) drawer_ = std::thread([this] { Run(); });
}

ProgressBar::~ProgressBar() {
  if (!drawer_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  drawer_.join();
  Draw();
  std::fputc('\n', stderr);
}

ProgressCallback ProgressBar::Callback() {
  return [this](const Progress& p) {
    total_.store(p.total, std::memory_order_relaxed);
    done_.store(p.done, std::memory_order_relaxed);
  };
}

std::string ProgressBar::Line(std::string_view label, const Progress& progress, double elapsed_s) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", elapsed_s);
  std::string line(label);
  if (progress.total == 0) return line + " ...  " + seconds;
  const uint64_t done = std::min(progress.done, progress.total);
  const int filled = static_cast<int>(done * kBarColumns / progress.total);
  line += " [" + std::string(filled, '#') + std::string(kBarColumns - filled, '.') + "] ";
  char percent[8];
  std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(done * 100 / progress.total));
  return line + percent + "  " + seconds;
}

void ProgressBar::Draw() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const Progress p{done_.load(std::memory_order_relaxed), total_.load(std::memory_order_relaxed)};
  // Back to the start of the line, the new text, the rest of the old line erased.
  std::fprintf(stderr, "\r%s\033[K", Line(label_, p, elapsed).c_str());
  std::fflush(stderr);
}

void ProgressBar::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, kRedrawInterval, [&] { return stopping_; })) Draw();
}

}  // namespace docdb::tools
