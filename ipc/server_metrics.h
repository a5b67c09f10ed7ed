// docdbd's metrics (docs/observability.md): its own (connections, requests in flight,
// request durations by protocol command, protocol errors) and every open database's,
// gathered into one exposition for /metrics and the Metrics command. Thread-safety:
// every method may be called from any thread at once; recording takes no lock.
#pragma once

#include <prometheus/collectable.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/histogram.h"
#include "ipc/database_pool.h"
#include "ipc/protocol.h"

namespace docdb::ipc {

// The counters every I/O thread adds to.
struct SharedCounters {
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> requests_in_flight{0};
};

// A prometheus-cpp collectable, so that the HTTP exposer can serve it.
class ServerMetrics : public prometheus::Collectable {
 public:
  using Clock = std::chrono::steady_clock;

  // `counters` and `pool` must outlive the metrics.
  ServerMetrics(const SharedCounters* counters, DatabasePool* pool);

  // A request of `command` (a known one) answered `elapsed` after it was parsed.
  void RequestAnswered(Command command, Clock::duration elapsed);

  // The server's families and those of every open database, merged.
  std::vector<prometheus::MetricFamily> Collect() const override;
  // The same in the Prometheus text format.
  std::string Text() const;

 private:
  const SharedCounters* const counters_;
  DatabasePool* const pool_;
  std::deque<AtomicHistogram> request_durations_ns_;  // by command number; cannot move
};

}  // namespace docdb::ipc
