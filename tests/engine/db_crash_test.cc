// Crash tests: a child process writes (single documents and batches, several threads,
// background checkpoints with WAL trimming and compaction, on-demand checkpoints and
// compactions, a writer keeping many WriteAsync puts in flight) and reports
// every acknowledged write on a pipe; the parent kills it with SIGKILL after a seeded
// number of acknowledgements, reopens the database and checks that every acknowledged
// write is there with its exact body and version, and that no batch is partly visible.
// Every life writes bodies of its own, so that an earlier life's identical write can
// never stand in for a lost one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "docdb/db.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

constexpr int kWriterThreads = 3;
constexpr int kDocsPerThread = 8;
constexpr int kBatchSize = 3;
constexpr int kAsyncInFlight = 32;

Options CrashOptions() {
  Options options;
  options.checkpoint_interval_bytes = 16 << 10;  // checkpoints keep happening
  options.wal_segment_size_bytes = 64 << 10;
  options.data_segment_size_bytes = 64 << 10;
  return options;
}

std::string BodyFor(int life, int thread, int seq) {
  return R"({"life":)" + std::to_string(life) + R"(,"thread":)" + std::to_string(thread) +
         R"(,"seq":)" + std::to_string(seq) + R"(,"pad":")" +
         std::string(static_cast<size_t>(seq % 50), 'p') + "\"}";
}

std::string BatchDocId(int life, int thread, int seq, int i) {
  return "b" + std::to_string(life) + "-" + std::to_string(thread) + "-" + std::to_string(seq) +
         "-" + std::to_string(i);
}

// The child: writes until killed. Each line on `out` is an acknowledged write of life
// `life`:
//   D <thread> <seq> <version>   a Put of doc "t<thread>-<seq % kDocsPerThread>"
//   B <thread> <seq> <version>   a batch of kBatchSize docs BatchDocId(life, thread, seq, i)
[[noreturn]] void RunChild(const std::string& dir, int out, uint64_t seed, int life) {
  Result<std::unique_ptr<DB>> db = DB::Open(dir, CrashOptions());
  if (!db.ok()) {
    std::fprintf(stderr, "child open: %s\n", db.status().ToString().c_str());
    _exit(3);
  }
  if (!(*db)->CreateCollection("batches").ok() && !(*db)->Count("batches").ok()) _exit(4);
  std::mutex out_mu;
  auto report = [&](char kind, int thread, int seq, uint64_t version) {
    char line[96];
    const int n = std::snprintf(line, sizeof(line), "%c %d %d %llu\n", kind, thread, seq,
                                static_cast<unsigned long long>(version));
    std::lock_guard<std::mutex> lock(out_mu);
    if (write(out, line, static_cast<size_t>(n)) != n) _exit(5);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 31 + static_cast<uint64_t>(t));
      for (int seq = 0;; ++seq) {
        if (rng() % 4 == 0) {
          WriteBatch batch;
          for (int i = 0; i < kBatchSize; ++i) {
            batch.Put("batches", BatchDocId(life, t, seq, i), BodyFor(life, t, seq));
          }
          if (!(*db)->Write(batch).ok()) _exit(6);
          // The batch's version, read back: its documents are never written again.
          Result<Document> written = (*db)->Get("batches", BatchDocId(life, t, seq, 0));
          if (!written.ok()) _exit(9);
          report('B', t, seq, written->version);
        } else {
          const std::string id =
              "t" + std::to_string(t) + "-" + std::to_string(seq % kDocsPerThread);
          Result<uint64_t> v = (*db)->Put("default", id, BodyFor(life, t, seq));
          if (!v.ok()) _exit(7);
          report('D', t, seq, *v);
        }
        if (t == 0 && seq % 40 == 39 && !(*db)->Checkpoint().ok()) _exit(8);
        if (t == 1 && seq % 10 == 9 && !(*db)->Compact().ok()) _exit(11);
      }
    });
  }
  // One more writer keeps up to kAsyncInFlight puts in flight through WriteAsync, and
  // reports each from its `done`: a write is acknowledged when `done` says so.
  threads.emplace_back([&] {
    const int t = kWriterThreads;
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    for (int seq = 0;; ++seq) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kAsyncInFlight; });
        ++in_flight;
      }
      WriteBatch batch;
      batch.Put("default", "t" + std::to_string(t) + "-" + std::to_string(seq % kDocsPerThread),
                BodyFor(life, t, seq));
      (*db)->WriteAsync(std::move(batch), [&, seq](Result<uint64_t> v) {
        if (!v.ok()) _exit(10);
        report('D', t, seq, *v);
        std::lock_guard<std::mutex> lock(mu);
        --in_flight;
        cv.notify_one();
      });
    }
  });
  for (auto& th : threads) th.join();
  _exit(0);
}

struct AckedPut {
  std::string body;
  uint64_t version = 0;
};
struct AckedBatch {
  int life = 0;
  int thread = 0;
  int seq = 0;
  uint64_t version = 0;
};
struct Acked {
  std::map<std::string, AckedPut> last_put;  // by doc, the newest acknowledged
  std::vector<AckedBatch> batches;
};

void ParseLine(const std::string& line, int life, Acked* acked) {
  std::istringstream in(line);
  char kind = 0;
  int thread = 0;
  int seq = 0;
  unsigned long long version = 0;
  if (!(in >> kind >> thread >> seq >> version)) return;  // a line cut by the kill
  if (kind == 'B') {
    acked->batches.push_back({life, thread, seq, version});
    return;
  }
  const std::string id = "t" + std::to_string(thread) + "-" + std::to_string(seq % kDocsPerThread);
  AckedPut& last = acked->last_put[id];
  if (version >= last.version) last = {BodyFor(life, thread, seq), version};
}

// Runs one child life: it is killed after `acks_before_kill` acknowledgements.
void RunAndKill(const std::string& dir, uint64_t seed, int life, int acks_before_kill,
                Acked* acked) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    RunChild(dir, fds[1], seed, life);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  char line[128];
  int acks = 0;
  bool killed = false;
  while (std::fgets(line, sizeof(line), in) != nullptr) {
    ParseLine(line, life, acked);
    if (!killed && ++acks >= acks_before_kill) {
      kill(child, SIGKILL);
      killed = true;  // lines already in the pipe are still read: they were acknowledged
    }
  }
  std::fclose(in);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child must die by our SIGKILL, not exit "
      << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

void CheckRecovered(const std::string& dir, const Acked& acked) {
  Result<std::unique_ptr<DB>> db = DB::Open(dir, CrashOptions());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  // No file is left behind that nothing would ever delete: the open removed every data
  // segment the checkpoint does not list, and the WAL is trimmed to what it needs.
  const Stats stats = *(*db)->GetStats();
  size_t data_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/data")) {
    data_files += e.path().extension() == ".dat";
  }
  EXPECT_EQ(data_files, stats.data_segments);
  for (const auto& [id, last] : acked.last_put) {
    Result<Document> doc = (*db)->Get("default", id);
    ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
    // A later write may have landed without its acknowledgement reaching us.
    ASSERT_GE(doc->version, last.version) << id;
    if (doc->version == last.version) {
      ASSERT_EQ(doc->json, last.body) << id;
    }
  }
  for (const AckedBatch& b : acked.batches) {
    for (int i = 0; i < kBatchSize; ++i) {
      const std::string id = BatchDocId(b.life, b.thread, b.seq, i);
      Result<Document> doc = (*db)->Get("batches", id);
      ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
      ASSERT_EQ(doc->version, b.version) << id;
      ASSERT_EQ(doc->json, BodyFor(b.life, b.thread, b.seq)) << id;
    }
  }
  // No batch, acknowledged or not, may be partly there: all of its documents, with one
  // version.
  std::map<std::string, std::pair<int, uint64_t>> parts;  // batch -> (documents, version)
  for (const Document& d : *(*db)->Scan("batches")) {
    auto& [n, version] = parts[d.id.substr(0, d.id.rfind('-'))];
    if (n++ == 0) version = d.version;
    ASSERT_EQ(d.version, version) << d.id << " has another version than its batch";
  }
  for (const auto& [batch, part] : parts) {
    ASSERT_EQ(part.first, kBatchSize) << "batch " << batch << " is partly visible";
  }
}

TEST(DBCrashTest, AcknowledgedWritesSurviveKill) {
  constexpr int kIterations = 100;
  std::mt19937_64 rng(2026);
  testing::TempDir dir;
  Acked acked;  // accumulates across lives: the same database is killed again and again
  for (int i = 0; i < kIterations; ++i) {
    const uint64_t seed = rng();
    SCOPED_TRACE("iteration " + std::to_string(i) + " seed " + std::to_string(seed));
    RunAndKill(dir.path(), seed, /*life=*/i, 1 + static_cast<int>(seed % 120), &acked);
    if (::testing::Test::HasFatalFailure()) return;
    if (i % 10 == 9 || i == kIterations - 1) {
      CheckRecovered(dir.path(), acked);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace docdb
