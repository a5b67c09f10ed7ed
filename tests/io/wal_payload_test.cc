#include "io/wal_payload.h"

#include <gtest/gtest.h>

namespace docdb::io {
namespace {

void ExpectSameOps(const std::vector<WalOp>& ops, WalRecordType type) {
  WalPayload payload = EncodeWalPayload(ops);
  ASSERT_EQ(payload.type, type);
  std::vector<WalOp> decoded;
  ASSERT_TRUE(DecodeWalPayload(static_cast<uint8_t>(payload.type), payload.bytes, &decoded).ok());
  ASSERT_EQ(decoded.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ(decoded[i].kind, ops[i].kind);
    EXPECT_EQ(decoded[i].collection, ops[i].collection);
    EXPECT_EQ(decoded[i].id, ops[i].id);
    EXPECT_EQ(decoded[i].body, ops[i].body);
  }
}

TEST(WalPayloadTest, SingleOperationsGetTheirOwnRecordTypes) {
  ExpectSameOps({{WalOp::Kind::kPut, "users", "alice", R"({"age":30})"}}, WalRecordType::kPut);
  ExpectSameOps({{WalOp::Kind::kDelete, "users", "bob", ""}}, WalRecordType::kDelete);
  ExpectSameOps({{WalOp::Kind::kCreateCollection, "orders", "", ""}},
                WalRecordType::kCreateCollection);
  ExpectSameOps({{WalOp::Kind::kDropCollection, "orders", "", ""}}, WalRecordType::kDropCollection);
}

TEST(WalPayloadTest, SeveralOperationsBecomeOneBatch) {
  ExpectSameOps({{WalOp::Kind::kPut, "users", "alice", "{}"},
                 {WalOp::Kind::kDelete, "users", "bob", ""},
                 {WalOp::Kind::kPut, "orders", "o-1", "[1,2,3]"}},
                WalRecordType::kBatch);
}

TEST(WalPayloadTest, EveryTruncationOfABatchIsCorruptionNeverACrash) {
  WalPayload payload =
      EncodeWalPayload(std::vector<WalOp>{{WalOp::Kind::kPut, "users", "alice", "{\"a\":1}"},
                                          {WalOp::Kind::kDelete, "users", "bob", ""}});
  std::vector<WalOp> ops;
  for (size_t cut = 0; cut < payload.bytes.size(); ++cut) {
    Status s = DecodeWalPayload(static_cast<uint8_t>(WalRecordType::kBatch),
                                std::string_view(payload.bytes).substr(0, cut), &ops);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "cut at " << cut;
    EXPECT_TRUE(ops.empty()) << "no half-decoded operations after a failure, cut at " << cut;
  }
}

TEST(WalPayloadTest, BatchWithUnknownOperationKindIsCorruption) {
  WalPayload payload = EncodeWalPayload(std::vector<WalOp>{{WalOp::Kind::kDelete, "c", "a", ""},
                                                           {WalOp::Kind::kDelete, "c", "b", ""}});
  payload.bytes[1] = 9;  // the first operation's kind
  std::vector<WalOp> ops;
  Status s = DecodeWalPayload(static_cast<uint8_t>(WalRecordType::kBatch), payload.bytes, &ops);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("unknown kind"), std::string::npos);
}

TEST(WalPayloadTest, DeleteWithTrailingBytesIsCorruption) {
  WalPayload payload = EncodeWalPayload(std::vector<WalOp>{{WalOp::Kind::kDelete, "c", "a", ""}});
  payload.bytes += "x";
  std::vector<WalOp> ops;
  EXPECT_EQ(
      DecodeWalPayload(static_cast<uint8_t>(WalRecordType::kDelete), payload.bytes, &ops).code(),
      StatusCode::kCorruption);
}

TEST(WalPayloadTest, AbortCarriesItsLsnRange) {
  WalOp abort;
  abort.kind = WalOp::Kind::kAbort;
  abort.first_lsn = 7;
  abort.last_lsn = 300;
  const WalPayload payload = EncodeWalPayload({&abort, 1});
  EXPECT_EQ(payload.type, WalRecordType::kAbort);
  std::vector<WalOp> ops;
  ASSERT_TRUE(
      DecodeWalPayload(static_cast<uint8_t>(WalRecordType::kAbort), payload.bytes, &ops).ok());
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].kind, WalOp::Kind::kAbort);
  EXPECT_EQ(ops[0].first_lsn, 7u);
  EXPECT_EQ(ops[0].last_lsn, 300u);
  EXPECT_EQ(WalRecordTypeName(static_cast<uint8_t>(WalRecordType::kAbort)), "abort");
}

TEST(WalPayloadTest, AbortOfAnEmptyRangeOrWithExtraBytesIsCorruption) {
  WalOp abort;
  abort.kind = WalOp::Kind::kAbort;
  abort.first_lsn = 9;
  abort.last_lsn = 8;
  std::vector<WalOp> ops;
  const uint8_t type = static_cast<uint8_t>(WalRecordType::kAbort);
  EXPECT_EQ(DecodeWalPayload(type, EncodeWalPayload({&abort, 1}).bytes, &ops).code(),
            StatusCode::kCorruption);
  abort.first_lsn = 0;
  EXPECT_EQ(DecodeWalPayload(type, EncodeWalPayload({&abort, 1}).bytes, &ops).code(),
            StatusCode::kCorruption);
  abort.first_lsn = 1;
  EXPECT_EQ(DecodeWalPayload(type, EncodeWalPayload({&abort, 1}).bytes + "x", &ops).code(),
            StatusCode::kCorruption);
  EXPECT_TRUE(ops.empty());
}

}  // namespace
}  // namespace docdb::io
