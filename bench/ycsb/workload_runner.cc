// WorkloadRunner (workload_runner.h).
#include "bench/ycsb/workload_runner.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "bench/ycsb/key_chooser.h"
#include "bench/ycsb/user_record.h"

namespace docdb::ycsb {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The operations thread `index` of `threads` performs out of `total`.
uint64_t ShareOf(uint64_t total, int threads, int index) {
  const auto n = static_cast<uint64_t>(threads);
  return total / n + (static_cast<uint64_t>(index) < total % n ? 1 : 0);
}

void NoteFailure(RunResult* result, const std::string& what) {
  if (result->first_failure.empty()) result->first_failure = what;
}

}  // namespace

// The state of one client thread.
struct WorkloadRunner::Client {
  Client(KeyChooser key_chooser, uint64_t thread_index, uint64_t thread_count)
      : chooser(std::move(key_chooser)), next_generation(thread_index + 1), stride(thread_count) {}

  KeyChooser chooser;
  RunResult result;
  std::string doc;
  std::vector<ScanEntry> scan;
  // Generations of updated values: unique across threads, so each version is distinct.
  uint64_t next_generation;
  uint64_t stride;
  // Time spent inside the store by the current operation. As in YCSB, latency covers
  // the engine calls only, not the client's key choice or verification.
  uint64_t engine_ns = 0;
};

namespace {

// Calls `call` (a store call returning Status), adding its duration to client->engine_ns.
template <typename Call>
Status Timed(WorkloadRunner::Client* client, Call&& call) {
  const Clock::time_point start = Clock::now();
  Status status = call();
  client->engine_ns += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  return status;
}

}  // namespace

void RunResult::Merge(const RunResult& other) {
  operations += other.operations;
  errors += other.errors;
  wrong_reads += other.wrong_reads;
  reads_verified += other.reads_verified;
  latency.Merge(other.latency);
  if (first_failure.empty()) first_failure = other.first_failure;
}

WorkloadRunner::WorkloadRunner(DocStore* store, AcknowledgedCounter* inserted)
    : store_(store), inserted_(inserted) {}

RunResult WorkloadRunner::Load(int64_t documents, int threads) {
  WorkloadSpec load;
  load.name = "load";
  load.insert_proportion = 1.0;
  RunOptions options;
  options.threads = threads;
  options.operations =
      static_cast<uint64_t>(std::max<int64_t>(0, documents - (inserted_->LastValue() + 1)));
  return Run(load, options);
}

RunResult WorkloadRunner::Run(const WorkloadSpec& spec, const RunOptions& options) {
  const int64_t record_count = inserted_->LastValue() + 1;
  const auto expected_new_keys =
      static_cast<int64_t>(static_cast<double>(options.operations) * spec.insert_proportion * 2.0);
  std::vector<std::unique_ptr<Client>> clients;
  for (int t = 0; t < options.threads; ++t) {
    KeyChooser chooser(spec.distribution, record_count, expected_new_keys, inserted_,
                       options.seed * 1000003 + static_cast<uint64_t>(t));
    clients.push_back(std::make_unique<Client>(std::move(chooser), static_cast<uint64_t>(t),
                                               static_cast<uint64_t>(options.threads)));
  }
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      RunClient(spec, ShareOf(options.operations, options.threads, t), options.max_seconds,
                clients[static_cast<size_t>(t)].get());
    });
  }
  for (std::thread& thread : threads) thread.join();
  RunResult total;
  total.seconds = SecondsSince(start);
  for (const auto& client : clients) total.Merge(client->result);
  return total;
}

void WorkloadRunner::RunClient(const WorkloadSpec& spec, uint64_t operations, double max_seconds,
                               Client* client) {
  const Clock::time_point start = Clock::now();
  const bool unlimited = operations == 0 && max_seconds > 0;
  for (uint64_t i = 0; unlimited || i < operations; ++i) {
    if (max_seconds > 0 && SecondsSince(start) >= max_seconds) break;
    const Operation op = ChooseOperation(spec, client->chooser.NextUniform());
    client->engine_ns = 0;
    ExecuteOne(op, client);
    client->result.latency.Record(client->engine_ns);
    ++client->result.operations;
  }
}

void WorkloadRunner::ExecuteOne(Operation op, Client* client) {
  switch (op) {
    case Operation::kRead:
      return Read(client);
    case Operation::kUpdate:
      return Update(client);
    case Operation::kInsert:
      return Insert(client);
    case Operation::kScan:
      return Scan(client);
    case Operation::kReadModifyWrite:
      return ReadModifyWrite(client);
  }
}

bool WorkloadRunner::ReadAndVerify(const std::string& key, Client* client) {
  RunResult& result = client->result;
  const Status read = Timed(client, [&] { return store_->Read(key, &client->doc); });
  if (read.code() == StatusCode::kNotFound) {
    ++result.wrong_reads;
    NoteFailure(&result, "read of existing record " + key + " found nothing");
    return false;
  }
  if (!read.ok()) {
    ++result.errors;
    NoteFailure(&result, "read " + key + ": " + read.ToString());
    return false;
  }
  const Status verified = VerifyUserRecord(key, client->doc);
  if (!verified.ok()) {
    ++result.wrong_reads;
    NoteFailure(&result, verified.ToString());
    return false;
  }
  ++result.reads_verified;
  return true;
}

void WorkloadRunner::Read(Client* client) {
  const std::string key = UserKey(client->chooser.NextKeyNumber());
  ReadAndVerify(key, client);
}

void WorkloadRunner::Update(Client* client) {
  UpdateOneField(UserKey(client->chooser.NextKeyNumber()), "update", client);
}

void WorkloadRunner::UpdateOneField(const std::string& key, std::string_view what, Client* client) {
  const int field = client->chooser.NextField();
  const std::string value = FieldValue(key, field, client->next_generation);
  client->next_generation += client->stride;
  const Status updated =
      Timed(client, [&] { return store_->UpdateField(key, FieldName(field), value); });
  if (!updated.ok()) {
    ++client->result.errors;
    NoteFailure(&client->result, std::string(what) + " " + key + ": " + updated.ToString());
  }
}

void WorkloadRunner::Insert(Client* client) {
  const int64_t keynum = inserted_->Next();
  const std::string key = UserKey(keynum);
  const std::string record = UserRecord(key);
  const Status inserted = Timed(client, [&] { return store_->Insert(key, record); });
  if (!inserted.ok()) {
    // Left unacknowledged, so that no read ever asks for this record.
    ++client->result.errors;
    NoteFailure(&client->result, "insert " + key + ": " + inserted.ToString());
    return;
  }
  inserted_->Acknowledge(keynum);
}

void WorkloadRunner::Scan(Client* client) {
  RunResult& result = client->result;
  const std::string start_key = UserKey(client->chooser.NextKeyNumber());
  const int length = client->chooser.NextScanLength();
  const Status scanned =
      Timed(client, [&] { return store_->Scan(start_key, length, &client->scan); });
  if (!scanned.ok()) {
    ++result.errors;
    NoteFailure(&result, "scan from " + start_key + ": " + scanned.ToString());
    return;
  }
  // The start key exists, so the scan must begin with it, and keys must ascend.
  if (client->scan.empty() || client->scan.front().key != start_key) {
    ++result.wrong_reads;
    NoteFailure(&result, "scan from existing record " + start_key + " did not start with it");
    return;
  }
  for (size_t i = 0; i < client->scan.size(); ++i) {
    const ScanEntry& entry = client->scan[i];
    const Status verified = VerifyUserRecord(entry.key, entry.doc);
    if (!verified.ok() || (i > 0 && entry.key <= client->scan[i - 1].key)) {
      ++result.wrong_reads;
      NoteFailure(&result, "scan from " + start_key + ": " +
                               (verified.ok() ? "keys out of order" : verified.ToString()));
      return;
    }
    ++result.reads_verified;
  }
}

void WorkloadRunner::ReadModifyWrite(Client* client) {
  const std::string key = UserKey(client->chooser.NextKeyNumber());
  if (!ReadAndVerify(key, client)) return;
  // As YCSB's CoreWorkload.doTransactionReadModifyWrite: a read, then an update.
  UpdateOneField(key, "read-modify-write", client);
}

}  // namespace docdb::ycsb
