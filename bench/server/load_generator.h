// LoadGenerator: docdb-load's engine (bench/server/README.md). One thread drives N
// non-blocking Unix-socket connections to docdbd through epoll, keeping exactly P
// requests in flight on each, matching replies to requests by request id and timing
// each one from send to reply. Thread-safety: one thread owns a LoadGenerator.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/ycsb/latency_histogram.h"
#include "docdb/status.h"
#include "ipc/protocol.h"

namespace docdb::serverbench {

enum class Workload { kPut, kGet, kMixed };  // mixed: half gets, half puts

// What one phase of a run sends and for how long.
struct PhaseSpec {
  Workload workload = Workload::kPut;
  // Keys 0, 1, ... in order (a load) instead of uniformly at random.
  bool sequential_keys = false;
  uint32_t pipeline = 1;               // requests in flight per connection
  uint64_t requests = 0;               // stop issuing after this many; 0: after `seconds`
  double seconds = 10;                 // used when `requests` is 0
  uint32_t drain_timeout_ms = 30'000;  // no reply for this long fails the run
};

struct PhaseResult {
  uint64_t completed = 0;  // replies received
  uint64_t errors = 0;     // replies whose status is not OK
  uint64_t not_found = 0;  // ... of which NotFound (a get of a key never put)
  Status first_error;      // the status of the first failed reply
  double elapsed_s = 0;    // from the first request sent to the last reply received
  ycsb::LatencyHistogram latency;

  double ops_per_s() const {
    return elapsed_s > 0 ? static_cast<double>(completed) / elapsed_s : 0;
  }
};

struct LoadTarget {
  std::string socket_path;
  std::string db = "default";
  std::string collection = "default";
  uint32_t connections = 1;
  uint64_t records = 100'000;  // keys are "user" + 12 digits, for 0 .. records-1
  std::string document;        // the JSON every put writes
  uint64_t seed = 1;
};

class LoadGenerator {
 public:
  // Opens `target.connections` connections and greets docdbd on each (Hello, protocol
  // version check). Unavailable when the socket does not answer, NotSupported for another
  // protocol version.
  static Result<std::unique_ptr<LoadGenerator>> Connect(const LoadTarget& target);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Runs one phase to its end and waits for every reply. Failed replies are counted in
  // the result; the returned Status is not OK only when the run itself broke: a
  // connection lost or closed by the server (Unavailable), a malformed or unexpected
  // frame (Corruption), replies missing after the drain timeout (Aborted).
  Result<PhaseResult> Run(const PhaseSpec& spec);

  // The largest number of requests in flight per connection that docdbd serves at once.
  uint32_t server_max_in_flight() const { return server_max_in_flight_; }

 private:
  struct Connection;
  struct Sent {
    ipc::Command command;
    uint64_t sent_ns;
  };

  explicit LoadGenerator(const LoadTarget& target);

  Status Greet(Connection* c);
  void Issue(Connection* c, const PhaseSpec& spec);
  std::string NextKey(const PhaseSpec& spec);
  Status OnReadable(Connection* c, const PhaseSpec& spec, PhaseResult* result);
  Status HandleReply(Connection* c, const ipc::FrameHeader& header, std::string_view body,
                     PhaseResult* result);
  Status Flush(Connection* c);
  Status WatchWrites(Connection* c, bool want);
  bool Issuing(const PhaseSpec& spec, uint64_t now_ns) const;

  const LoadTarget target_;
  int epoll_fd_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<char> read_buffer_;  // what one recv takes, before it is appended
  std::mt19937_64 rng_;
  std::uniform_int_distribution<uint64_t> key_distribution_;
  uint32_t server_max_in_flight_ = 0;
  uint64_t next_request_id_ = 1;  // 0 is the server's connection-level id
  uint64_t next_sequential_key_ = 0;
  // Of the current phase.
  uint64_t issued_ = 0;
  uint64_t outstanding_ = 0;
  uint64_t deadline_ns_ = 0;
  uint64_t last_reply_ns_ = 0;
  // Requests reused for every send, so that building one copies only its key.
  ipc::Request put_template_;
  ipc::Request get_template_;
};

// "user" + `keynum` zero-padded to 12 digits, like redis-benchmark's keys.
std::string UserKey(uint64_t keynum);

}  // namespace docdb::serverbench
