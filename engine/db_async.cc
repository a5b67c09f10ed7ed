// The asynchronous write path of DBImpl (engine/db_impl.h, docs/architecture.md,
// "Asynchronous writes"): WriteAsync queues validated batches; one commit thread takes
// everything queued, checks the batches in order, logs them with one WAL group write,
// applies them and calls each batch's `done`.

#include <bitset>

#include "common/status_macros.h"
#include "engine/db_impl.h"

namespace docdb::engine {
namespace {

// At most this much is taken into one commit group: the WAL writes a group with one
// submission, and the stripes of its documents stay locked until it is applied, so a
// group also leaves some stripes free for synchronous writers (a batch alone may take
// more).
constexpr size_t kMaxGroupBatches = 512;
constexpr uint64_t kMaxGroupBytes = 4ull << 20;
constexpr size_t kMaxGroupStripes = 48;
// How long the commit thread waits for a group to fill up to the last group's size.
constexpr auto kMaxGroupWait = std::chrono::microseconds(500);
// How long the commit thread spins for the next batch after a group of one, before it
// sleeps (docs/architecture.md, "Asynchronous writes").
constexpr auto kLoneWriterSpin = std::chrono::microseconds(300);

void SpinPause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

void DBImpl::Answer(QueuedBatch& batch, Result<uint64_t> outcome) {
  operation_metrics_.Finish(batch.operation, outcome.status().code(), batch.start);
  batch.done(Noted(std::move(outcome)));
}

void DBImpl::WriteAsync(WriteBatch batch, std::function<void(Result<uint64_t>)> done) {
  if (batch.empty()) {
    done(uint64_t{0});
    return;
  }
  QueuedBatch queued{{}, std::move(done), 0, OperationOfBatch(batch), operation_metrics_.Start()};
  Result<std::vector<PendingWrite>> writes = ValidateBatch(batch);
  if (!writes.ok()) {
    Answer(queued, writes.status());
    return;
  }
  queued.writes = std::move(*writes);
  for (const PendingWrite& w : queued.writes) queued.bytes += w.id.size() + w.body.size();
  std::unique_lock<std::mutex> lock(async_mu_);
  if (async_stopping_) {
    lock.unlock();
    Answer(queued, Status::Aborted("database " + dir_ + " is closing"));
    return;
  }
  if (async_pending_ >= options_.max_pending_writes ||
      (async_pending_ > 0 &&
       async_pending_bytes_ + queued.bytes > options_.max_pending_write_bytes)) {
    const std::string why = std::to_string(async_pending_) + " batches of " +
                            std::to_string(async_pending_bytes_) + " bytes are queued";
    lock.unlock();
    Answer(queued,
           Status::Busy("WriteAsync: " + why + " (max_pending_writes " +
                        std::to_string(options_.max_pending_writes) + ", max_pending_write_bytes " +
                        std::to_string(options_.max_pending_write_bytes) + ")"));
    return;
  }
  ++async_pending_;
  async_pending_bytes_ += queued.bytes;
  async_queue_.push_back(std::move(queued));
  async_queued_.store(async_queue_.size(), std::memory_order_release);
  // Only the batch the commit thread waits for wakes it: one wake-up a group, not one a
  // batch.
  const bool wake = async_queue_.size() == async_wake_size_;
  lock.unlock();
  if (wake) async_cv_.notify_one();
}

void DBImpl::RunAsyncCommits() {
  std::unique_lock<std::mutex> lock(async_mu_);
  size_t last_group_size = 0;
  // With one CPU, spinning would only keep the writer it waits for from running.
  const bool spin_for_lone_writer = std::thread::hardware_concurrency() > 1;
  for (;;) {
    // A lone writer (a client with one request in flight) writes again one round trip
    // after its answer: spinning that long costs less than being woken, which on a
    // virtual machine is a good part of the round trip itself.
    if (last_group_size == 1 && async_queue_.empty() && spin_for_lone_writer) {
      lock.unlock();
      const auto until = std::chrono::steady_clock::now() + kLoneWriterSpin;
      while (async_queued_.load(std::memory_order_acquire) == 0 &&
             std::chrono::steady_clock::now() < until) {
        SpinPause();
      }
      lock.lock();
    }
    async_wake_size_ = 1;
    async_cv_.wait(lock, [&] { return !async_queue_.empty() || async_stopping_; });
    // The writers the last group answered are likely to write again at once (a server's
    // connections, each with a request in flight). When a sync is what a group costs,
    // waiting a little for as many as the last group had makes one sync serve them
    // all, instead of a small group now and the rest one sync later.
    if (options_.durability == Durability::kSync && async_queue_.size() < last_group_size) {
      async_wake_size_ = last_group_size;
      async_cv_.wait_for(lock, kMaxGroupWait,
                         [&] { return async_queue_.size() >= last_group_size || async_stopping_; });
    }
    async_wake_size_ = 0;  // nobody waits while the group commits
    // Closing commits what is queued: every `done` is called once, with the outcome.
    if (async_queue_.empty()) return;
    std::vector<QueuedBatch> group;
    uint64_t group_bytes = 0;
    std::bitset<kStripes> stripes;
    while (!async_queue_.empty() && group.size() < kMaxGroupBatches) {
      const QueuedBatch& next = async_queue_.front();
      std::bitset<kStripes> with_next = stripes;
      for (const PendingWrite& w : next.writes) with_next.set(StripeOf(w));
      if (!group.empty() &&
          (group_bytes + next.bytes > kMaxGroupBytes || with_next.count() > kMaxGroupStripes)) {
        break;
      }
      stripes = with_next;
      group_bytes += next.bytes;
      group.push_back(std::move(async_queue_.front()));
      async_queue_.pop_front();
    }
    async_queued_.store(async_queue_.size(), std::memory_order_release);
    last_group_size = group.size();
    lock.unlock();
    std::vector<Result<uint64_t>> outcomes = CommitGroup(group);
    // The group's bytes leave memory_bytes before anyone is answered, so that a client a
    // `done` replies to reads a settled value; the batches count against
    // max_pending_writes until their `done` has returned.
    lock.lock();
    async_pending_bytes_ -= group_bytes;
    lock.unlock();
    // Called without any lock: `done` may read, write synchronously or call WriteAsync.
    for (size_t i = 0; i < group.size(); ++i) Answer(group[i], std::move(outcomes[i]));
    lock.lock();
    async_pending_ -= group.size();
  }
}

std::vector<Result<uint64_t>> DBImpl::CommitGroup(std::vector<QueuedBatch>& group) {
  std::vector<const std::vector<PendingWrite>*> batches;
  batches.reserve(group.size());
  for (const QueuedBatch& b : group) batches.push_back(&b.writes);
  const std::vector<std::unique_lock<std::mutex>> held = LockStripes(batches);
  std::shared_lock<WriterFirstSharedMutex> commit(commit_mu_);
  std::vector<Result<uint64_t>> outcomes(group.size(), Status::Internal("not committed"));
  if (Status writable = CheckWritable(); !writable.ok()) {
    for (Result<uint64_t>& outcome : outcomes) outcome = writable;
    return outcomes;
  }

  // Each batch is checked against the state the batches before it in the group leave;
  // those that fail are answered and left out.
  GroupState state;
  std::vector<size_t> logged;  // indices into group, in LSN order
  std::vector<std::vector<int64_t>> count_deltas(group.size());
  std::vector<io::WalPayload> payloads;
  for (size_t i = 0; i < group.size(); ++i) {
    if (Status checked = CheckPreconditions(group[i].writes, &count_deltas[i], &state);
        !checked.ok()) {
      outcomes[i] = checked;
      continue;
    }
    payloads.push_back(EncodeWrites(group[i].writes));
    logged.push_back(i);
  }
  if (logged.empty()) return outcomes;

  std::vector<io::WalAppendRecord> records;
  records.reserve(payloads.size());
  uint64_t wal_bytes = 0;
  for (const io::WalPayload& p : payloads) {
    records.push_back({p.type, p.bytes});
    wal_bytes += p.bytes.size();
  }
  const Result<uint64_t> first_lsn = wal_->AppendAll(records);
  if (!first_lsn.ok()) {
    const Status failed = WalAppendFailed(first_lsn.status());
    for (size_t i : logged) outcomes[i] = failed;
    return outcomes;
  }
  // Durable in the WAL from here on, as in Commit: a batch that cannot be applied is
  // revoked, and so is every later batch of the group, which was checked against the
  // state the failed one would have left.
  for (size_t k = 0; k < logged.size(); ++k) {
    const uint64_t lsn = *first_lsn + k;
    const Status applied = ApplyWrites(group[logged[k]].writes, lsn, count_deltas[logged[k]]);
    if (!applied.ok()) {
      const Status failed = RevokeLogged(lsn, *first_lsn + logged.size() - 1, applied);
      for (size_t j = k; j < logged.size(); ++j) outcomes[logged[j]] = failed;
      break;
    }
    outcomes[logged[k]] = lsn;
  }
  MaybeScheduleCheckpoint(wal_bytes);
  return outcomes;
}

}  // namespace docdb::engine
