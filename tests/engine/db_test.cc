// The embedded API: every operation, its errors, and persistence across reopen with and
// without a checkpoint in between.
#include "docdb/db.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "io/file_system.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

enum class Reopen { kWithoutCheckpoint, kAfterCheckpoint };

class DBTest : public ::testing::TestWithParam<Reopen> {
 protected:
  void SetUp() override { db_ = OpenOrDie(); }

  std::unique_ptr<DB> OpenOrDie(Options options = {}) {
    // Without a checkpoint, the reopened database must rebuild recent writes from the WAL.
    options.checkpoint_on_close = GetParam() == Reopen::kAfterCheckpoint;
    Result<std::unique_ptr<DB>> db = DB::Open(dir_.path(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  void ReopenDB() {
    if (GetParam() == Reopen::kAfterCheckpoint) {
      ASSERT_TRUE(db_->Checkpoint().ok());
    }
    db_.reset();
    db_ = OpenOrDie();
  }

  std::string Body(std::string_view collection, std::string_view id) {
    Result<Document> doc = db_->Get(collection, id);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return doc.ok() ? doc->json : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_P(DBTest, PutGetAndVersionsSurviveReopen) {
  Result<uint64_t> v1 = db_->Put("default", "alice", R"({ "name" : "Alice", "n": 1.50 })");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  Result<uint64_t> v2 = db_->Put("default", "bob", R"([1, 2, 3])");
  ASSERT_TRUE(v2.ok());
  EXPECT_GT(*v2, *v1);
  ReopenDB();
  Result<Document> alice = db_->Get("default", "alice");
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->json, R"({"name":"Alice","n":1.50})") << "minified, digits kept";
  EXPECT_EQ(alice->version, *v1);
  EXPECT_EQ(alice->id, "alice");
  EXPECT_EQ(Body("default", "bob"), "[1,2,3]");
}

TEST_P(DBTest, InsertUpdateDeleteRules) {
  ASSERT_TRUE(db_->Insert("default", "d", "{}").ok());
  EXPECT_EQ(db_->Insert("default", "d", "{}").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->Update("default", "missing", "{}").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(db_->Update("default", "d", R"({"v":2})").ok());
  ASSERT_TRUE(db_->Insert("default", "gone", "1").ok());
  Result<uint64_t> deleted = db_->Delete("default", "gone");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(db_->Delete("default", "gone").status().code(), StatusCode::kNotFound);
  ReopenDB();
  EXPECT_EQ(Body("default", "d"), R"({"v":2})");
  EXPECT_EQ(db_->Get("default", "gone").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(*db_->Exists("default", "gone"));
  EXPECT_TRUE(*db_->Exists("default", "d"));
  EXPECT_EQ(*db_->Count("default"), 1u);
}

TEST_P(DBTest, CompareAndSetChecksTheExpectedVersion) {
  const uint64_t v1 = *db_->Put("default", "k", "1");
  WriteOptions stale;
  stale.expected_version = v1 + 100;
  EXPECT_EQ(db_->Put("default", "k", "2", stale).status().code(), StatusCode::kConflict);
  WriteOptions current;
  current.expected_version = v1;
  const uint64_t v2 = *db_->Put("default", "k", "2", current);
  EXPECT_EQ(db_->Delete("default", "k", current).status().code(), StatusCode::kConflict);
  WriteOptions absent;
  absent.expected_version = 0;
  EXPECT_EQ(db_->Put("default", "k", "3", absent).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(db_->Put("default", "new", "3", absent).ok()) << "0 means: must not exist";
  ReopenDB();
  Result<Document> doc = db_->Get("default", "k");
  EXPECT_EQ(doc->version, v2);
  EXPECT_EQ(doc->json, "2");
}

TEST_P(DBTest, InsertNewGeneratesTimeOrderedIds) {
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    Result<Document> doc = db_->InsertNew("default", R"({"i":)" + std::to_string(i) + "}");
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    EXPECT_EQ(doc->id.size(), 26u);
    ids.push_back(doc->id);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  ReopenDB();
  Result<std::vector<Document>> all = db_->Scan("default");
  ASSERT_EQ(all->size(), 50u);
  EXPECT_EQ((*all)[7].json, R"({"i":7})");
}

TEST_P(DBTest, CollectionsCreateListAndDrop) {
  ASSERT_TRUE(db_->CreateCollection("users").ok());
  EXPECT_EQ(db_->CreateCollection("users").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db_->CreateCollection(".hidden").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->CreateCollection(std::string(65, 'a')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("nope", "a", "1").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(db_->Put("users", "a", "1").ok());
  ASSERT_TRUE(db_->Put("users", "b", "2").ok());
  ASSERT_TRUE(db_->CreateCollection("empty").ok());
  EXPECT_EQ(db_->DropCollection("users").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->DropCollection("default", true).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(db_->DropCollection("empty").ok());
  ReopenDB();
  Result<std::vector<CollectionInfo>> list = db_->ListCollections();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "default");
  EXPECT_EQ((*list)[1].name, "users");
  EXPECT_EQ((*list)[1].document_count, 2u);
}

TEST_P(DBTest, ForcedDropDeletesDocumentsForGood) {
  ASSERT_TRUE(db_->CreateCollection("tmp").ok());
  ASSERT_TRUE(db_->Put("tmp", "a", "1").ok());
  ASSERT_TRUE(db_->Checkpoint().ok());  // "a" is in the index now
  ASSERT_TRUE(db_->Put("tmp", "b", "2").ok());
  ASSERT_TRUE(db_->DropCollection("tmp", /*force=*/true).ok());
  ASSERT_TRUE(db_->CreateCollection("tmp").ok());
  EXPECT_EQ(*db_->Count("tmp"), 0u);
  EXPECT_EQ(db_->Get("tmp", "a").status().code(), StatusCode::kNotFound);
  ReopenDB();
  EXPECT_EQ(db_->Get("tmp", "a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Get("tmp", "b").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->Scan("tmp")->empty());
}

TEST_P(DBTest, BatchAppliesAllOrNothing) {
  ASSERT_TRUE(db_->CreateCollection("orders").ok());
  ASSERT_TRUE(db_->Put("default", "stock", "10").ok());
  WriteBatch good;
  good.Put("orders", "o1", R"({"qty":1})");
  good.Put("default", "stock", "9");
  good.Delete("orders", "o1");
  good.Put("orders", "o2", R"({"qty":2})");
  ASSERT_TRUE(db_->Write(good).ok());

  WriteBatch bad;
  bad.Put("orders", "o3", "{}");
  bad.Delete("orders", "missing");
  Status s = db_->Write(bad);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("operation 1"), std::string::npos) << s.ToString();
  // Expected versions refer to the state before the batch, even after an earlier write.
  const uint64_t stock_version = db_->Get("default", "stock")->version;
  WriteBatch cas;
  cas.Put("default", "stock", "8", stock_version);
  cas.Put("default", "stock", "7", stock_version);
  ASSERT_TRUE(db_->Write(cas).ok());
  EXPECT_EQ(Body("default", "stock"), "7");
  WriteBatch stale_cas;
  stale_cas.Put("orders", "o6", "{}");
  stale_cas.Delete("default", "stock", stock_version);
  EXPECT_EQ(db_->Write(stale_cas).code(), StatusCode::kConflict);

  WriteBatch invalid;
  invalid.Put("orders", "o4", "{}");
  invalid.Put("orders", "o5", "{not json");
  EXPECT_EQ(db_->Write(invalid).code(), StatusCode::kInvalidArgument);
  ReopenDB();
  EXPECT_EQ(Body("default", "stock"), "7");
  EXPECT_FALSE(*db_->Exists("orders", "o6"));
  EXPECT_FALSE(*db_->Exists("orders", "o1"));
  EXPECT_TRUE(*db_->Exists("orders", "o2"));
  EXPECT_FALSE(*db_->Exists("orders", "o3"));
  EXPECT_FALSE(*db_->Exists("orders", "o4"));
  EXPECT_EQ(*db_->Count("orders"), 1u);
}

TEST_P(DBTest, BatchPatchesSeeTheBatchsEarlierWrites) {
  WriteBatch batch;
  batch.Insert("default", "p", R"({"n":1})");
  batch.Patch("default", "p", R"([{"op":"replace","path":"/n","value":2}])");
  batch.MergePatch("default", "p", R"({"m":3})");
  batch.Update("default", "p", R"({"n":4,"m":3})");
  batch.Patch("default", "p", R"([{"op":"add","path":"/k","value":5}])");
  ASSERT_TRUE(db_->Write(batch).ok());
  EXPECT_EQ(Body("default", "p"), R"({"n":4,"m":3,"k":5})");

  WriteBatch failing;
  failing.Put("default", "q", "{}");
  failing.Patch("default", "p", R"([{"op":"test","path":"/n","value":99}])");
  Status s = db_->Write(failing);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("operation 1"), std::string::npos) << s.ToString();
  WriteBatch missing;
  missing.Update("default", "nobody", "{}");
  EXPECT_EQ(db_->Write(missing).code(), StatusCode::kNotFound);
  WriteBatch twice;
  twice.Insert("default", "p", "{}");
  EXPECT_EQ(db_->Write(twice).code(), StatusCode::kAlreadyExists);
  ReopenDB();
  EXPECT_EQ(Body("default", "p"), R"({"n":4,"m":3,"k":5})");
  EXPECT_FALSE(*db_->Exists("default", "q"));
}

TEST_P(DBTest, ScanMergesRecentWritesWithTheIndexInIdOrder) {
  for (const char* id : {"a1", "a2", "b1", "b2", "c1"})
    ASSERT_TRUE(db_->Put("default", id, "0").ok());
  ASSERT_TRUE(db_->Checkpoint().ok());
  ASSERT_TRUE(db_->Put("default", "a2", "1").ok());  // newer than the index
  ASSERT_TRUE(db_->Delete("default", "b1").ok());
  ASSERT_TRUE(db_->Put("default", "a3", "1").ok());
  auto ids = [&](const ScanOptions& o) {
    std::vector<std::string> out;
    for (const Document& d : *db_->Scan("default", o)) out.push_back(d.id + "=" + d.json);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<std::string>{"a1=0", "a2=1", "a3=1", "b2=0", "c1=0"}));
  ScanOptions prefix;
  prefix.prefix = "a";
  EXPECT_EQ(ids(prefix), (std::vector<std::string>{"a1=0", "a2=1", "a3=1"}));
  ScanOptions bounded;
  bounded.start = "a2";
  bounded.end = "c1";
  EXPECT_EQ(ids(bounded), (std::vector<std::string>{"a2=1", "a3=1", "b2=0"}));
  ScanOptions limited;
  limited.limit = 2;
  EXPECT_EQ(ids(limited), (std::vector<std::string>{"a1=0", "a2=1"}));
  // Every start and limit: the first `limit` documents from `start` of the full scan,
  // whether the overlay (the tombstone of b1, the newer a2, the new a3) or the index
  // holds them.
  const std::vector<std::string> all = ids({});
  for (const char* start : {"a", "a2", "a3", "b", "b1", "b2", "c"}) {
    for (uint64_t limit = 1; limit <= all.size() + 1; ++limit) {
      ScanOptions o;
      o.start = start;
      o.limit = limit;
      std::vector<std::string> want;
      for (const std::string& doc : all) {
        if (doc.substr(0, doc.find('=')) >= start && want.size() < limit) want.push_back(doc);
      }
      EXPECT_EQ(ids(o), want) << "start " << start << " limit " << limit;
    }
  }
  ReopenDB();
  EXPECT_EQ(ids({}), (std::vector<std::string>{"a1=0", "a2=1", "a3=1", "b2=0", "c1=0"}));
}

TEST_P(DBTest, ScanGivesTheModelsAnswerForEveryCombinationOfBounds) {
  // Documents in the index and in the overlay (newer bodies, a deletion), and another
  // collection whose keys sort right after this one's.
  std::map<std::string, std::string> model;
  for (const char* id : {"a", "b", "ba", "bb", "c", "d", "m", "x", "xa"}) {
    ASSERT_TRUE(db_->Put("default", id, "0").ok());
    model[id] = "0";
  }
  ASSERT_TRUE(db_->CreateCollection("other").ok());
  ASSERT_TRUE(db_->Put("other", "zz", "9").ok());
  ASSERT_TRUE(db_->Checkpoint().ok());
  for (const char* id : {"ba", "m", "y"}) {
    ASSERT_TRUE(db_->Put("default", id, "1").ok());
    model[id] = "1";
  }
  ASSERT_TRUE(db_->Delete("default", "c").ok());
  model.erase("c");

  const std::vector<std::string> bounds = {"", "a", "b", "ba", "bz", "c", "m", "x", "zz", "zzz"};
  for (const std::string& start : bounds) {
    for (const std::string& end : bounds) {
      for (const std::string& prefix : bounds) {
        for (uint64_t limit : {0, 1, 3}) {
          ScanOptions o{start, end, prefix, limit};
          std::vector<std::string> want;
          for (const auto& [id, body] : model) {
            if (id < start || (!end.empty() && id >= end) || !id.starts_with(prefix)) continue;
            if (limit == 0 || want.size() < limit) want.push_back(id + "=" + body);
          }
          Result<std::vector<Document>> got = db_->Scan("default", o);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          std::vector<std::string> ids;
          for (const Document& d : *got) ids.push_back(d.id + "=" + d.json);
          ASSERT_EQ(ids, want) << "start '" << start << "' end '" << end << "' prefix '" << prefix
                               << "' limit " << limit;
        }
      }
    }
  }
}

TEST_P(DBTest, BadInputIsRejectedAndLeavesNoTrace) {
  ASSERT_TRUE(db_->Put("default", "ok", "1").ok());
  const uint64_t lsn_before = db_->GetStats()->last_lsn;
  EXPECT_EQ(db_->Put("default", "x", "{\"a\":").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("default", "x", "[1] 2").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("default", "", "1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("default", std::string("a\x01", 2), "1").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("default", "\xff", "1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Put("bad name", "x", "1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->GetStats()->last_lsn, lsn_before) << "nothing reached the WAL";
  db_.reset();
  Options small;
  small.max_document_bytes = 16;
  db_ = OpenOrDie(small);
  const uint64_t lsn_small = db_->GetStats()->last_lsn;
  const Status big = db_->Put("default", "big", "\"" + std::string(20, 'x') + "\"").status();
  EXPECT_EQ(big.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->GetStats()->last_lsn, lsn_small);
  ReopenDB();
  EXPECT_FALSE(*db_->Exists("default", "x"));
  EXPECT_FALSE(*db_->Exists("default", "big"));
  EXPECT_EQ(*db_->Count("default"), 1u);
}

TEST_P(DBTest, PatchAppliesAtomicallyAndPersists) {
  const uint64_t v1 =
      *db_->Put("default", "p", R"({"name":"a","tags":["x"],"n":12345678901234567890})");
  Result<uint64_t> v2 = db_->Patch("default", "p",
                                   R"([{"op":"set","path":"/address/city","value":"Oslo"},
                                       {"op":"insert","path":"/tags/0","value":"first"},
                                       {"op":"replace","path":"/name","value":"b"}])");
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_GT(*v2, v1);
  const std::string patched =
      R"({"name":"b","tags":["first","x"],"n":12345678901234567890,"address":{"city":"Oslo"}})";
  EXPECT_EQ(Body("default", "p"), patched);

  // A failed test, a missing path, a malformed patch: nothing changes, nothing is logged.
  const uint64_t lsn = db_->GetStats()->last_lsn;
  Status failed_test = db_->Patch("default", "p", R"([{"op":"set","path":"/name","value":"c"},
                                                      {"op":"test","path":"/name","value":"zzz"}])")
                           .status();
  EXPECT_EQ(failed_test.code(), StatusCode::kFailedPrecondition) << failed_test.ToString();
  EXPECT_EQ(db_->Patch("default", "p", R"([{"op":"remove","path":"/nope"}])").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->Patch("default", "p", R"({"op":"remove"})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Patch("default", "missing", "[]").status().code(), StatusCode::kNotFound);
  WriteOptions stale;
  stale.expected_version = v1;
  EXPECT_EQ(db_->Patch("default", "p", "[]", stale).status().code(), StatusCode::kConflict);
  EXPECT_EQ(db_->GetStats()->last_lsn, lsn);
  EXPECT_EQ(db_->Get("default", "p")->version, *v2);

  ASSERT_TRUE(db_->MergePatch("default", "p", R"({"tags":null,"name":"m"})").ok());
  ReopenDB();
  EXPECT_EQ(Body("default", "p"),
            R"({"name":"m","n":12345678901234567890,"address":{"city":"Oslo"}})");
}

// Regression: a checkpoint right after opening, before any write, recorded checkpoint LSN
// 0, and the next open replayed the whole WAL over a catalog that already had its effects.
TEST_P(DBTest, CheckpointRightAfterReopenKeepsTheCheckpointLsn) {
  ASSERT_TRUE(db_->CreateCollection("c").ok());
  ASSERT_TRUE(db_->Put("c", "a", "1").ok());
  ASSERT_TRUE(db_->Checkpoint().ok());
  ReopenDB();
  ASSERT_TRUE(db_->Checkpoint().ok());
  EXPECT_EQ(db_->GetStats()->checkpoint_lsn, 2u);
  ReopenDB();
  EXPECT_EQ(Body("c", "a"), "1");
}

TEST_P(DBTest, SecondOpenOfTheSameDirectoryIsBusy) {
  Result<std::unique_ptr<DB>> second = DB::Open(dir_.path());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
}

TEST(DBOpenTest, MissingDirectoryWithoutCreateIsNotFound) {
  testing::TempDir dir;
  Options options;
  options.create_if_missing = false;
  EXPECT_EQ(DB::Open(dir.Join("nope"), options).status().code(), StatusCode::kNotFound);
}

// In sync mode the WAL is written with direct I/O where the file system takes O_DIRECT
// (docs/wal-format.md, "Writing"); never when turned off, nor in the relaxed modes.
TEST(DBOpenTest, WalIsWrittenWithDirectIoInSyncModeUnlessTurnedOff) {
  testing::TempDir probe_dir;
  testing::WriteFileOrDie(probe_dir.Join("probe"), "");
  const int fd = ::open(probe_dir.Join("probe").c_str(), O_RDWR | O_DIRECT);
  const bool supported = fd >= 0;
  if (fd >= 0) ::close(fd);
  for (const auto& [durability, direct, expected] :
       {std::tuple{Durability::kSync, true, supported}, std::tuple{Durability::kSync, false, false},
        std::tuple{Durability::kNone, true, false}}) {
    testing::TempDir dir;
    Options options;
    options.durability = durability;
    options.wal_direct_io = direct;
    auto db = std::move(*DB::Open(dir.path(), options));
    EXPECT_EQ(db->GetStats()->wal_direct_io, expected);
    EXPECT_NE(db->Metrics()->find("docdb_wal_direct_io{db=\"" + io::BaseName(dir.path()) + "\"} " +
                                  (expected ? "1" : "0")),
              std::string::npos);
    ASSERT_TRUE(db->Put("default", "a", "[1]").ok());
    db.reset();
    db = std::move(*DB::Open(dir.path(), options));
    EXPECT_EQ(db->Get("default", "a")->json, "[1]");
  }
}

INSTANTIATE_TEST_SUITE_P(Reopen, DBTest,
                         ::testing::Values(Reopen::kWithoutCheckpoint, Reopen::kAfterCheckpoint),
                         [](const auto& param_info) {
                           return param_info.param == Reopen::kAfterCheckpoint
                                      ? "AfterCheckpoint"
                                      : "WithoutCheckpoint";
                         });

}  // namespace
}  // namespace docdb
