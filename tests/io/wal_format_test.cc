#include "io/wal_format.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::io {
namespace {

TEST(WalFormatTest, SegmentHeaderRoundTrips) {
  const std::string bytes = EncodeWalSegmentHeader({7, 1234});
  ASSERT_EQ(bytes.size(), kWalSegmentHeaderBytes);
  Result<WalSegmentHeader> header = DecodeWalSegmentHeader(bytes);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->segment_number, 7u);
  EXPECT_EQ(header->first_lsn, 1234u);
}

TEST(WalFormatTest, DamagedSegmentHeaderIsCorruptionSayingWhat) {
  const std::string bytes = EncodeWalSegmentHeader({1, 1});
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  EXPECT_NE(DecodeWalSegmentHeader(bad_magic).status().message().find("magic"), std::string::npos);
  std::string flipped = bytes;
  flipped[20] ^= 1;
  EXPECT_NE(DecodeWalSegmentHeader(flipped).status().message().find("checksum"), std::string::npos);
  EXPECT_EQ(DecodeWalSegmentHeader(bytes.substr(0, 39)).status().code(), StatusCode::kCorruption);
  std::string reserved = bytes;
  reserved[38] = 1;
  EXPECT_NE(DecodeWalSegmentHeader(reserved).status().message().find("reserved"),
            std::string::npos);
}

TEST(WalFormatTest, NewerFormatVersionIsNotSupported) {
  std::string bytes = EncodeWalSegmentHeader({1, 1});
  EncodeFixed32(bytes.data() + 8, kWalFormatVersion + 1);
  EncodeFixed32(bytes.data() + 32, crc32c::Value(bytes.data(), 32));  // re-seal
  EXPECT_EQ(DecodeWalSegmentHeader(bytes).status().code(), StatusCode::kNotSupported);
}

TEST(WalFormatTest, RecordRoundTripsAndIsPaddedToEightBytes) {
  for (size_t len : {0u, 1u, 3u, 4u, 5u, 12u, 100u}) {
    std::string buf;
    const std::string payload(len, 'p');
    AppendWalRecord(&buf, 99, static_cast<uint8_t>(WalRecordType::kPut), payload, 90);
    EXPECT_EQ(buf.size() % kWalRecordAlignment, 0u);
    EXPECT_EQ(buf.size(), WalEncodedRecordBytes(len));
    WalFrame frame;
    ASSERT_EQ(DecodeWalRecord(buf, &frame), WalFrameStatus::kOk) << "payload length " << len;
    EXPECT_EQ(frame.lsn, 99u);
    EXPECT_EQ(frame.durable_lsn, 90u);
    EXPECT_EQ(frame.type, static_cast<uint8_t>(WalRecordType::kPut));
    EXPECT_EQ(frame.payload, payload);
    EXPECT_EQ(frame.encoded_bytes, buf.size());
  }
}

TEST(WalFormatTest, EveryFlippedBitIsDetectedPaddingIncluded) {
  std::string buf;
  AppendWalRecord(&buf, 5, static_cast<uint8_t>(WalRecordType::kBatch), "some payload bytes", 4);
  ASSERT_GT(buf.size(), kWalRecordHeaderBytes + 18) << "the test needs padding";
  for (size_t bit = 0; bit < buf.size() * 8; ++bit) {
    std::string bad = buf;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    WalFrame frame;
    EXPECT_NE(DecodeWalRecord(bad, &frame), WalFrameStatus::kOk) << "bit " << bit;
  }
}

TEST(WalFormatTest, ZerosTruncationAndBadHeadersAreTold) {
  WalFrame frame;
  EXPECT_EQ(DecodeWalRecord(std::string(64, '\0'), &frame), WalFrameStatus::kZeros);
  EXPECT_EQ(DecodeWalRecord(std::string(5, '\0'), &frame), WalFrameStatus::kZeros);
  std::string buf;
  AppendWalRecord(&buf, 1, 1, std::string(40, 'x'), 0);
  for (size_t cut = 1; cut < kWalRecordHeaderBytes + 40; ++cut) {
    EXPECT_EQ(DecodeWalRecord(buf.substr(0, cut), &frame), WalFrameStatus::kTruncated) << cut;
  }
  std::string type_zero = buf;
  type_zero[16] = 0;
  EXPECT_EQ(DecodeWalRecord(type_zero, &frame), WalFrameStatus::kBadHeader);
  std::string huge = buf;
  EncodeFixed32(huge.data() + 4, kWalMaxPayloadBytes + 1);
  EXPECT_EQ(DecodeWalRecord(huge, &frame), WalFrameStatus::kBadHeader);
}

// Sealed with a good checksum, so that only the field's value is wrong.
std::string WithDurableDistance(std::string record, uint32_t distance, size_t payload_bytes) {
  record[17] = static_cast<char>(distance & 0xff);
  record[18] = static_cast<char>((distance >> 8) & 0xff);
  record[19] = static_cast<char>(distance >> 16);
  EncodeFixed32(record.data(),
                crc32c::Value(record.data() + 4, kWalRecordHeaderBytes - 4 + payload_bytes));
  return record;
}

TEST(WalFormatTest, DurableDistanceIsCappedAndNeverReachesBeforeLsnZero) {
  std::string far;
  AppendWalRecord(&far, 100'000'000, 1, "p", 1);
  WalFrame frame;
  ASSERT_EQ(DecodeWalRecord(far, &frame), WalFrameStatus::kOk);
  EXPECT_EQ(frame.durable_lsn, 100'000'000u - kWalMaxDurableDistance) << "a lower bound";

  std::string record;
  AppendWalRecord(&record, 10, 1, "p", 10);
  EXPECT_EQ(DecodeWalRecord(WithDurableDistance(record, 10, 1), &frame), WalFrameStatus::kOk);
  EXPECT_EQ(frame.durable_lsn, 0u);
  EXPECT_EQ(DecodeWalRecord(WithDurableDistance(record, 11, 1), &frame),
            WalFrameStatus::kBadHeader);
}

TEST(WalFormatTest, VersionOneRecordsReadAsDurableThroughThemselves) {
  // Version 1 wrote zeros where version 2 keeps the durable distance.
  std::string record;
  AppendWalRecord(&record, 42, 1, "p", 30);
  WalFrame frame;
  ASSERT_EQ(DecodeWalRecord(WithDurableDistance(record, 0, 1), &frame), WalFrameStatus::kOk);
  EXPECT_EQ(frame.durable_lsn, 42u);

  WalSegmentHeader v1{3, 77, 1};
  Result<WalSegmentHeader> header = DecodeWalSegmentHeader(EncodeWalSegmentHeader(v1));
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->version, 1u);
  EXPECT_EQ(header->first_lsn, 77u);
}

TEST(WalFormatTest, TypeNamesAndTheUnknownTypeRule) {
  uint8_t type = 0;
  ASSERT_TRUE(ParseWalRecordTypeName("batch", &type));
  EXPECT_EQ(type, static_cast<uint8_t>(WalRecordType::kBatch));
  EXPECT_EQ(WalRecordTypeName(type), "batch");
  EXPECT_EQ(WalRecordTypeName(77), "unknown-77");
  EXPECT_FALSE(IsKnownWalRecordType(77));
  EXPECT_FALSE(IsSkippableWalRecordType(77));
  EXPECT_TRUE(IsSkippableWalRecordType(200));
}

}  // namespace
}  // namespace docdb::io
