// The metrics of an embedded database (docs/observability.md): operations counted by kind
// and outcome, errors by class as the fault FileSystem injects them, heals, a scrape that
// changes nothing, and an exposition promtool accepts with each series once.
#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>

#include "docdb/metrics.h"
#include "engine/db_impl.h"
#include "io/fault_file_system.h"
#include "tests/support/damage.h"
#include "tests/support/exposition.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

using testing::SeriesValue;

Options QuietOptions() {
  Options options;
  options.checkpoint_auto = false;
  options.compaction_auto = false;
  options.healing_enabled = false;
  options.metrics_db_label = "main";
  return options;
}

std::string Text(DB& db) {
  Result<std::string> text = db.Metrics();
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

std::string Ops(const std::string& operation, const std::string& status) {
  return R"(docdb_operations_total{db="main",operation=")" + operation + R"(",status=")" + status +
         R"("})";
}

class DBMetricsTest : public ::testing::Test {
 protected:
  std::unique_ptr<DB> Open(const Options& options = QuietOptions()) {
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(DBMetricsTest, OperationsAreCountedByKindAndOutcomeAndTimed) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "a", R"({"n":1})").ok());
  ASSERT_TRUE(db->Get("default", "a").ok());
  EXPECT_EQ(db->Get("default", "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db->Insert("default", "a", "{}").status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(db->Patch("default", "a", R"([{"op":"add","path":"/m","value":2}])").ok());
  WriteBatch batch;
  batch.Put("default", "b", "1");
  batch.Delete("default", "a");
  ASSERT_TRUE(db->Write(batch).ok());
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  WriteBatch one;
  one.Put("default", "c", "2");
  db->WriteAsync(std::move(one), [&](Result<uint64_t> r) {
    EXPECT_TRUE(r.ok());
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_one();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
  }

  const std::string text = Text(*db);
  EXPECT_EQ(SeriesValue(text, Ops("put", "ok")), 2) << "Put and a WriteAsync of one put";
  EXPECT_EQ(SeriesValue(text, Ops("get", "ok")), 1);
  EXPECT_EQ(SeriesValue(text, Ops("get", "not_found")), 1);
  EXPECT_EQ(SeriesValue(text, Ops("insert", "already_exists")), 1);
  EXPECT_EQ(SeriesValue(text, Ops("patch", "ok")), 1);
  EXPECT_EQ(SeriesValue(text, Ops("batch", "ok")), 1);
  EXPECT_EQ(SeriesValue(text, Ops("delete", "ok")), 0) << "the batch's delete is the batch's";
  EXPECT_EQ(SeriesValue(text, Ops("update", "not_found")), std::nullopt)
      << "a failure's series appears once it happens";
  EXPECT_EQ(
      SeriesValue(text, R"(docdb_operation_duration_seconds_count{db="main",operation="get"})"), 2);
  EXPECT_EQ(
      SeriesValue(
          text, R"(docdb_operation_duration_seconds_bucket{db="main",operation="get",le="+Inf"})"),
      2);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents{db="main"})"), 2);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents_total{db="main"})"), 2);
  EXPECT_EQ(SeriesValue(text, R"(docdb_errors_total{db="main",category="validation"})"), 1)
      << "AlreadyExists; a missing document is not an error";
  EXPECT_GE(*SeriesValue(text, R"(docdb_wal_appended_bytes_total{db="main"})"), 1);
  EXPECT_GE(*SeriesValue(text, R"(docdb_wal_sync_duration_seconds_count{db="main"})"), 4);
  EXPECT_GT(*SeriesValue(text, R"(docdb_memory_bytes{db="main"})"), 0) << "the overlay";
}

TEST_F(DBMetricsTest, AScrapeChangesNothingAndEverySeriesAppearsOnce) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  const std::string first = Text(*db);
  EXPECT_EQ(Text(*db), first);
  EXPECT_EQ(testing::RepeatedSeries(first), std::vector<std::string>{});
  EXPECT_EQ(testing::PromtoolFindings(first), "");
  EXPECT_EQ(SeriesValue(first, R"(docdb_checkpoints_total{db="main"})"), 1);
  EXPECT_GT(*SeriesValue(first, R"(docdb_checkpoint_last_success_timestamp_seconds{db="main"})"),
            1.7e9);
}

TEST_F(DBMetricsTest, DatabasesMergeIntoOneFamilyPerName) {
  auto first = Open();
  Options other = QuietOptions();
  other.metrics_db_label = "other";
  testing::TempDir other_dir;
  auto second = std::move(*DB::Open(other_dir.path(), other));
  ASSERT_TRUE(second->Put("default", "x", "1").ok());
  std::vector<prometheus::MetricFamily> families;
  ASSERT_TRUE(first->CollectMetrics(&families).ok());
  std::vector<prometheus::MetricFamily> more;
  ASSERT_TRUE(second->CollectMetrics(&more).ok());
  MergeMetricFamilies(std::move(more), &families);
  const std::string text = MetricsText(families);
  EXPECT_EQ(testing::PromtoolFindings(text), "");
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents{db="main"})"), 0);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents{db="other"})"), 1);
  size_t type_lines = 0;
  for (size_t at = 0; (at = text.find("# TYPE docdb_documents gauge", at)) != std::string::npos;
       ++at) {
    ++type_lines;
  }
  EXPECT_EQ(type_lines, 1u);
}

TEST_F(DBMetricsTest, DisabledMetricsCountNoOperationsButKeepTheState) {
  Options options = QuietOptions();
  options.metrics_enabled = false;
  auto db = Open(options);
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  const std::string text = Text(*db);
  EXPECT_EQ(SeriesValue(text, Ops("put", "ok")), 0);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents{db="main"})"), 1);
}

TEST_F(DBMetricsTest, InjectedFaultsAreCountedByClass) {
  auto base = std::move(*io::NewFileSystem(io::IoBackend::kPosix));
  io::FaultFileSystem fs(base.get(), 1);
  Options options = QuietOptions();
  options.data_segment_buffer_bytes = 0;  // the put's own segment write fails
  auto db = std::move(*engine::OpenDB(dir_.path(), options, &fs));
  // A full data segment: transient, revoked, and the database stays writable.
  fs.InjectFault({io::FaultOp::kWrite, 1, ENOSPC, false, true, "data"});
  EXPECT_EQ(db->Put("default", "a", "1").status().code(), StatusCode::kNoSpace);
  fs.ClearFaults();
  ASSERT_TRUE(db->Put("default", "b", "1").ok());
  // A failed fsync of the WAL: critical, and writes stop.
  fs.InjectFault({io::FaultOp::kSync, 1, EIO});
  EXPECT_FALSE(db->Put("default", "c", "1").ok());
  const std::string text = Text(*db);
  EXPECT_EQ(SeriesValue(text, R"(docdb_errors_total{db="main",category="transient"})"), 1);
  EXPECT_EQ(SeriesValue(text, R"(docdb_errors_total{db="main",category="critical"})"), 1);
  EXPECT_EQ(SeriesValue(text, Ops("put", "no_space")), 1);
  EXPECT_GE(*SeriesValue(text, R"(docdb_retries_total{db="main"})"), 1);
  EXPECT_EQ(SeriesValue(text, R"(docdb_writes_revoked_total{db="main"})"), 1);
  EXPECT_EQ(SeriesValue(text, R"(docdb_read_only{db="main"})"), 1);
}

TEST_F(DBMetricsTest, HealsAreCounted) {
  auto db = Open();
  ASSERT_TRUE(db->Put("default", "x", R"({"marker":"xxxx-one"})").ok());
  ASSERT_TRUE(db->Checkpoint().ok());
  ASSERT_EQ(testing::DamageDataSegments(dir_.path(), "xxxx-one"), 1);
  ASSERT_TRUE(db->Get("default", "x").ok()) << "healed on read";
  ASSERT_TRUE(db->HealDocument("default", "x").ok());
  const std::string text = Text(*db);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents_healed_total{db="main"})"), 1);
  EXPECT_EQ(SeriesValue(text, R"(docdb_documents_corrupted_total{db="main"})"), 1);
  EXPECT_EQ(SeriesValue(text, R"(docdb_healing_operations_total{db="main"})"), 1);
  EXPECT_EQ(SeriesValue(text, Ops("heal", "ok")), 1);
}

}  // namespace
}  // namespace docdb
