// WorkloadRunner: YCSB's load and run phases against one DocStore with N client threads,
// timing every operation and verifying every document read (docs/performance-ycsb.md).
// Thread-safety: one Load or Run at a time; each starts and joins its own threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bench/ycsb/acknowledged_counter.h"
#include "bench/ycsb/doc_store.h"
#include "bench/ycsb/latency_histogram.h"
#include "bench/ycsb/workload.h"

namespace docdb::ycsb {

struct RunOptions {
  int threads = 1;
  uint64_t operations = 0;  // in all threads together; 0 = until max_seconds
  double max_seconds = 0;   // 0 = no time limit
  uint64_t seed = 1;
};

struct RunResult {
  uint64_t operations = 0;      // completed, successful or not
  uint64_t errors = 0;          // engine calls that returned an error
  uint64_t wrong_reads = 0;     // reads of a missing, foreign or damaged document
  uint64_t reads_verified = 0;  // documents read back (scans included) and found correct
  double seconds = 0;           // wall time of the run, client work included
  LatencyHistogram latency;     // per operation, time inside the store only
  std::string first_failure;    // what the first error or wrong read was

  bool ok() const { return errors == 0 && wrong_reads == 0; }
  double ops_per_s() const { return seconds > 0 ? static_cast<double>(operations) / seconds : 0; }
  void Merge(const RunResult& other);
};

class WorkloadRunner {
 public:
  struct Client;  // one client thread's state (workload_runner.cc)

  // Neither is owned; both must outlive the runner. `inserted` counts the records the
  // store holds: AcknowledgedCounter(0) for an empty store.
  WorkloadRunner(DocStore* store, AcknowledgedCounter* inserted);

  // YCSB's load phase: inserts records until `documents` exist, from `threads` threads.
  RunResult Load(int64_t documents, int threads);
  // YCSB's run phase of `spec`.
  RunResult Run(const WorkloadSpec& spec, const RunOptions& options);

 private:
  void RunClient(const WorkloadSpec& spec, uint64_t operations, double max_seconds, Client* client);
  void ExecuteOne(Operation op, Client* client);
  void Read(Client* client);
  void Update(Client* client);
  // Writes a new value into one chosen field of `key`; `what` names the operation
  // in failure notes.
  void UpdateOneField(const std::string& key, std::string_view what, Client* client);
  void Insert(Client* client);
  void Scan(Client* client);
  void ReadModifyWrite(Client* client);
  // Reads `key` and verifies the document; false (and counted) when either failed.
  bool ReadAndVerify(const std::string& key, Client* client);

  DocStore* store_;
  AcknowledgedCounter* inserted_;
};

}  // namespace docdb::ycsb
