// The wire protocol's codec (ipc/protocol.h, docs/protocol.md): frames and every
// command's body round-trip, and damaged input is refused with a message naming it.
#include "ipc/protocol.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::ipc {
namespace {

std::pair<FrameHeader, std::string> Split(const std::string& frame) {
  Result<FrameHeader> h = DecodeFrameHeader(frame);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->body_length, frame.size() - kFrameHeaderBytes);
  return {*h, frame.substr(kFrameHeaderBytes)};
}

TEST(ProtocolTest, HeaderLayoutIsAsDocumented) {
  FrameHeader h;
  h.flags = kFlagAtomic;
  h.command = 0x0203;
  h.request_id = 0x1122334455667788ull;
  h.body_length = 0x01020304;
  char bytes[kFrameHeaderBytes];
  EncodeFrameHeader(h, bytes);
  EXPECT_EQ(std::string(bytes, 4), "DDBP");
  EXPECT_EQ(bytes[4], kProtocolVersion);
  EXPECT_EQ(bytes[5], kFlagAtomic);
  EXPECT_EQ(bytes[6], 0x03);
  EXPECT_EQ(bytes[7], 0x02);
  EXPECT_EQ(DecodeFixed64(bytes + 8), h.request_id);
  EXPECT_EQ(DecodeFixed32(bytes + 16), h.body_length);
  EXPECT_EQ(DecodeFixed32(bytes + 20), crc32c::Value(bytes, 20));
}

TEST(ProtocolTest, EveryHeaderByteIsCoveredByTheChecksum) {
  FrameHeader h;
  h.command = 15;
  h.request_id = 42;
  h.body_length = 1000;
  char bytes[kFrameHeaderBytes];
  EncodeFrameHeader(h, bytes);
  for (size_t i = 0; i < kFrameHeaderBytes; ++i) {
    std::string damaged(bytes, kFrameHeaderBytes);
    damaged[i] ^= 0x10;
    Result<FrameHeader> r = DecodeFrameHeader(damaged);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << i;
  }
  EXPECT_FALSE(DecodeFrameHeader(std::string(bytes, 23)).ok());
}

TEST(ProtocolTest, OtherVersionsAndUnknownFlagsAreNotSupported) {
  FrameHeader h;
  h.version = 2;
  char bytes[kFrameHeaderBytes];
  EncodeFrameHeader(h, bytes);
  EXPECT_EQ(DecodeFrameHeader(std::string(bytes, kFrameHeaderBytes)).status().code(),
            StatusCode::kNotSupported);
  h.version = kProtocolVersion;
  h.flags = 0x80;
  EncodeFrameHeader(h, bytes);
  EXPECT_EQ(DecodeFrameHeader(std::string(bytes, kFrameHeaderBytes)).status().code(),
            StatusCode::kNotSupported);
}

std::vector<Request> SampleRequests() {
  std::vector<Request> out;
  for (uint16_t c = 1; c <= kMaxCommand; ++c) {
    Request r;
    r.command = static_cast<Command>(c);
    r.request_id = 1000 + c;
    r.db = "db" + std::to_string(c);
    r.collection = "coll";
    r.force = true;
    r.scan = {"a", "z", "p", 7};
    r.client_version = 1;
    r.client_name = "test";
    r.path = "/backup";
    r.ops = {{OpType::kPut, "coll", "id", R"({"a":1})", 5}};
    out.push_back(r);
  }
  Request exec;
  exec.command = Command::kExecute;
  exec.request_id = 9;
  exec.atomic = true;
  exec.db = "x";
  exec.ops = {{OpType::kCreate, "c", "", "{}", std::nullopt},
              {OpType::kPatch, "c", "i", "[]", 0},
              {OpType::kRead, "c", "i", "", std::nullopt}};
  out.push_back(exec);
  return out;
}

TEST(ProtocolTest, EveryRequestRoundTrips) {
  for (const Request& r : SampleRequests()) {
    SCOPED_TRACE(CommandName(static_cast<uint16_t>(r.command)));
    auto [header, body] = Split(EncodeRequest(r));
    Result<Request> decoded = DecodeRequest(header, body);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    const Command c = r.command;
    EXPECT_EQ(decoded->request_id, r.request_id);
    EXPECT_EQ(decoded->atomic, r.atomic);
    if (c != Command::kHello && c != Command::kListDbs) {
      EXPECT_EQ(decoded->db, r.db);
    }
    if (c == Command::kScan) {
      EXPECT_EQ(decoded->collection, "coll");
      EXPECT_EQ(decoded->scan.prefix, "p");
      EXPECT_EQ(decoded->scan.limit, 7u);
    }
    if (c == Command::kDeleteCollection) {
      EXPECT_TRUE(decoded->force);
    }
    if (c == Command::kBackup) {
      EXPECT_EQ(decoded->path, "/backup");
    }
    if (c == Command::kHello) {
      EXPECT_EQ(decoded->client_name, "test");
    }
    if (c == Command::kExecute) {
      EXPECT_EQ(decoded->ops, r.ops);
    }
    if (c == Command::kPut) {
      ASSERT_EQ(decoded->ops.size(), 1u);
      EXPECT_EQ(decoded->ops[0].json, R"({"a":1})");
      EXPECT_EQ(decoded->ops[0].expected_version, 5u);
    }
  }
}

TEST(ProtocolTest, EveryTruncationOfARequestIsRefusedNamingTheField) {
  for (const Request& r : SampleRequests()) {
    auto [header, body] = Split(EncodeRequest(r));
    for (size_t n = 0; n < body.size(); ++n) {
      Result<Request> decoded = DecodeRequest(header, body.substr(0, n));
      ASSERT_FALSE(decoded.ok()) << CommandName(header.command) << " cut at " << n;
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
      const std::string_view m = decoded.status().message();
      EXPECT_TRUE(m.find("truncated") != m.npos || m.find("cannot fit") != m.npos)
          << decoded.status().ToString();
    }
    Result<Request> longer = DecodeRequest(header, body + "x");
    ASSERT_FALSE(longer.ok());
    EXPECT_NE(longer.status().message().find("1 bytes after the last field"), std::string::npos);
  }
}

TEST(ProtocolTest, AbsurdCountsAndUnknownOpTypesAreRefusedWithoutAllocating) {
  Request exec;
  exec.command = Command::kExecute;
  exec.db = "x";
  auto [header, body] = Split(EncodeRequest(exec));
  EncodeFixed32(body.data() + body.size() - 4, 0xFFFFFFFFu);
  Result<Request> r = DecodeRequest(header, body);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot fit"), std::string::npos) << r.status().ToString();

  exec.ops = {{OpType::kPut, "c", "i", "1", std::nullopt}};
  auto [h2, b2] = Split(EncodeRequest(exec));
  b2[4 + 1 + 4] = 5;  // the op type after the db name and the count
  r = DecodeRequest(h2, b2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown type 5"), std::string::npos)
      << r.status().ToString();
  FrameHeader unknown = h2;
  unknown.command = 500;
  EXPECT_EQ(DecodeRequest(unknown, b2).status().code(), StatusCode::kNotSupported);
}

TEST(ProtocolTest, ResponsesRoundTripWithStatusesAndPayloads) {
  Response exec;
  exec.status = Status::NotFound("operation 1: gone");
  exec.results.push_back({Status::OK(), 12, "gen", "", false});
  exec.results.push_back({Status::Conflict("stale"), 0, "", "", false});
  auto [h, body] = Split(EncodeResponse(Command::kExecute, 3, exec));
  EXPECT_EQ(h.request_id, 3u);
  EXPECT_TRUE(h.flags & kFlagResponse);
  Result<Response> back = DecodeResponse(Command::kExecute, body);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->status, exec.status);
  ASSERT_EQ(back->results.size(), 2u);
  EXPECT_EQ(back->results[0].version, 12u);
  EXPECT_EQ(back->results[0].id, "gen");
  EXPECT_EQ(back->results[1].status.code(), StatusCode::kConflict);

  Response scan;
  scan.more = true;
  scan.documents = {{"a", R"({"x":1})", 4}, {"b", "[]", 5}};
  auto [h3, b3] = Split(EncodeResponse(Command::kScan, 4, scan));
  back = DecodeResponse(Command::kScan, b3);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->more);
  ASSERT_EQ(back->documents.size(), 2u);
  EXPECT_EQ(back->documents[1].json, "[]");
  EXPECT_EQ(back->documents[1].version, 5u);

  Response stats;
  stats.stats.documents = 77;
  stats.stats.io_backend = "io_uring";
  stats.stats.recovery.detail = "clean";
  auto [h4, b4] = Split(EncodeResponse(Command::kStats, 5, stats));
  back = DecodeResponse(Command::kStats, b4);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stats.documents, 77u);
  EXPECT_EQ(back->stats.io_backend, "io_uring");
  EXPECT_EQ(back->stats.recovery.detail, "clean");
  // Fields a newer server appends are ignored by this client.
  back = DecodeResponse(Command::kStats, b4 + "newer fields");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->stats.documents, 77u);

  stats.stats.writes_revoked = 3;
  stats.stats.errors_critical = 1;
  stats.stats.recovery.records_revoked = 4;
  stats.stats.read_only = true;
  stats.stats.read_only_reason = "fsync failed";
  auto [h6, b6] = Split(EncodeResponse(Command::kStats, 7, stats));
  back = DecodeResponse(Command::kStats, b6);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stats.writes_revoked, 3u);
  EXPECT_EQ(back->stats.errors_critical, 1u);
  EXPECT_EQ(back->stats.recovery.records_revoked, 4u);
  EXPECT_TRUE(back->stats.read_only);
  EXPECT_EQ(back->stats.read_only_reason, "fsync failed");

  Response heal_all;
  heal_all.heal_report.documents_checked = 9;
  heal_all.heal_report.healed = {{"c", "a", 5, ""}};
  heal_all.heal_report.unrecoverable = {{"c", "b", 6, "checksum mismatch; gone"}};
  auto [h7, b7] = Split(EncodeResponse(Command::kHealAll, 8, heal_all));
  back = DecodeResponse(Command::kHealAll, b7);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->heal_report.documents_checked, 9u);
  ASSERT_EQ(back->heal_report.healed.size(), 1u);
  EXPECT_EQ(back->heal_report.healed[0].id, "a");
  ASSERT_EQ(back->heal_report.unrecoverable.size(), 1u);
  EXPECT_EQ(back->heal_report.unrecoverable[0].version, 6u);
  EXPECT_EQ(back->heal_report.unrecoverable[0].problem, "checksum mismatch; gone");

  Response healing;
  healing.healing.total_scans = 2;
  healing.healing.documents_healed = 3;
  healing.healing.documents_corrupted = 4;
  healing.healing.on_demand_healings = 1;
  healing.healing.background_healings = 2;
  healing.healing.last_scan_time_us = 1'700'000'000'000'000;
  healing.healing.last_healing_time_us = 1'700'000'000'000'001;
  healing.healing.documents_unrecoverable = 1;
  healing.healing.unrecoverable = {{"c", "b", 6, "gone"}};
  auto [h8, b8] = Split(EncodeResponse(Command::kHealStats, 9, healing));
  back = DecodeResponse(Command::kHealStats, b8);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->healing.total_scans, 2u);
  EXPECT_EQ(back->healing.documents_healed, 3u);
  EXPECT_EQ(back->healing.documents_corrupted, 4u);
  EXPECT_EQ(back->healing.on_demand_healings, 1u);
  EXPECT_EQ(back->healing.background_healings, 2u);
  EXPECT_EQ(back->healing.last_scan_time_us, 1'700'000'000'000'000);
  EXPECT_EQ(back->healing.last_healing_time_us, 1'700'000'000'000'001);
  EXPECT_EQ(back->healing.documents_unrecoverable, 1u);
  ASSERT_EQ(back->healing.unrecoverable.size(), 1u);
  EXPECT_EQ(back->healing.unrecoverable[0].collection, "c");

  Response verify;
  verify.verify.documents_checked = 5;
  verify.verify.segments_checked = 2;
  verify.verify.damaged = {{"c", "a", 5, "checksum mismatch"}};
  verify.verify.problems = {"collection 'c': the catalog counts 6 documents, the index names 5"};
  auto [h10, b10] = Split(EncodeResponse(Command::kVerify, 11, verify));
  back = DecodeResponse(Command::kVerify, b10);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->verify.documents_checked, 5u);
  EXPECT_EQ(back->verify.segments_checked, 2u);
  ASSERT_EQ(back->verify.damaged.size(), 1u);
  EXPECT_EQ(back->verify.problems, verify.verify.problems);

  Response heal;
  heal.healed = true;
  auto [h9, b9] = Split(EncodeResponse(Command::kHeal, 10, heal));
  back = DecodeResponse(Command::kHeal, b9);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->healed);

  // An error response carries no payload, whatever the command.
  Response failed;
  failed.status = Status::IoError("disk", 5);
  auto [h5, b5] = Split(EncodeResponse(Command::kScan, 6, failed));
  back = DecodeResponse(Command::kScan, b5);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->status.sys_errno(), 5);
  EXPECT_TRUE(back->documents.empty());
}

}  // namespace
}  // namespace docdb::ipc
