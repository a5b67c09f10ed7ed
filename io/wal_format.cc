// WAL format encoding and decoding (io/wal_format.h, docs/wal-format.md).
#include "io/wal_format.h"

#include <algorithm>
#include <cassert>

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::io {
namespace {

constexpr size_t kHeaderCrcOffset = 32;

struct TypeName {
  WalRecordType type;
  std::string_view name;
};
constexpr TypeName kTypeNames[] = {
    {WalRecordType::kPut, "put"},
    {WalRecordType::kDelete, "delete"},
    {WalRecordType::kBatch, "batch"},
    {WalRecordType::kCreateCollection, "create-collection"},
    {WalRecordType::kDropCollection, "drop-collection"},
    {WalRecordType::kAbort, "abort"},
};

}  // namespace

std::string WalRecordTypeName(uint8_t type) {
  for (const TypeName& t : kTypeNames) {
    if (static_cast<uint8_t>(t.type) == type) return std::string(t.name);
  }
  return "unknown-" + std::to_string(type);
}

bool ParseWalRecordTypeName(std::string_view name, uint8_t* type) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) {
      *type = static_cast<uint8_t>(t.type);
      return true;
    }
  }
  return false;
}

bool IsKnownWalRecordType(uint8_t type) {
  return std::any_of(std::begin(kTypeNames), std::end(kTypeNames),
                     [type](const TypeName& t) { return static_cast<uint8_t>(t.type) == type; });
}

std::string EncodeWalSegmentHeader(const WalSegmentHeader& header) {
  std::string out(kWalMagic);
  PutFixed32(&out, header.version);
  PutFixed32(&out, kWalSegmentHeaderBytes);
  PutFixed64(&out, header.segment_number);
  PutFixed64(&out, header.first_lsn);
  PutFixed32(&out, crc32c::Value(out.data(), out.size()));
  PutFixed32(&out, 0);
  return out;
}

Result<WalSegmentHeader> DecodeWalSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kWalSegmentHeaderBytes) {
    return Status::Corruption("segment header truncated: " + std::to_string(bytes.size()) + " of " +
                              std::to_string(kWalSegmentHeaderBytes) + " bytes");
  }
  if (bytes.substr(0, kWalMagic.size()) != kWalMagic) {
    return Status::Corruption("not a DocDB WAL segment (bad magic)");
  }
  const uint32_t stored_crc = DecodeFixed32(bytes.data() + kHeaderCrcOffset);
  if (stored_crc != crc32c::Value(bytes.data(), kHeaderCrcOffset)) {
    return Status::Corruption("segment header checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version < kWalOldestReadableVersion || version > kWalFormatVersion) {
    return Status::NotSupported("WAL format version " + std::to_string(version) +
                                " (this build reads versions " +
                                std::to_string(kWalOldestReadableVersion) + " to " +
                                std::to_string(kWalFormatVersion) + ")");
  }
  if (DecodeFixed32(bytes.data() + 36) != 0) {
    return Status::Corruption("segment header reserved bytes are not zero");
  }
  if (DecodeFixed32(bytes.data() + 12) != kWalSegmentHeaderBytes) {
    return Status::Corruption("segment header length is not " +
                              std::to_string(kWalSegmentHeaderBytes));
  }
  return WalSegmentHeader{DecodeFixed64(bytes.data() + 16), DecodeFixed64(bytes.data() + 24),
                          version};
}

void AppendWalRecord(std::string* dst, uint64_t lsn, uint8_t type, std::string_view payload,
                     uint64_t durable_lsn) {
  assert(durable_lsn <= lsn);
  const auto distance =
      static_cast<uint32_t>(std::min<uint64_t>(lsn - durable_lsn, kWalMaxDurableDistance));
  const size_t start = dst->size();
  const size_t encoded = WalEncodedRecordBytes(payload.size());
  dst->resize(start + encoded);  // zero-fills the reserved bytes and the padding
  char* p = dst->data() + start;
  EncodeFixed32(p + 4, static_cast<uint32_t>(payload.size()));
  EncodeFixed64(p + 8, lsn);
  p[16] = static_cast<char>(type);
  p[17] = static_cast<char>(distance & 0xff);
  p[18] = static_cast<char>((distance >> 8) & 0xff);
  p[19] = static_cast<char>(distance >> 16);
  std::copy(payload.begin(), payload.end(), p + kWalRecordHeaderBytes);
  const uint32_t crc = crc32c::Value(p + 4, kWalRecordHeaderBytes - 4 + payload.size());
  EncodeFixed32(p, crc);
}

WalFrameStatus DecodeWalRecord(std::string_view input, WalFrame* frame) {
  if (input.size() < kWalRecordHeaderBytes) {
    const bool all_zero = std::all_of(input.begin(), input.end(), [](char c) { return c == 0; });
    return all_zero ? WalFrameStatus::kZeros : WalFrameStatus::kTruncated;
  }
  const char* p = input.data();
  if (std::all_of(p, p + kWalRecordHeaderBytes, [](char c) { return c == 0; })) {
    return WalFrameStatus::kZeros;
  }
  const uint32_t length = DecodeFixed32(p + 4);
  const auto type = static_cast<uint8_t>(p[16]);
  const uint64_t lsn = DecodeFixed64(p + 8);
  const uint32_t distance = static_cast<uint32_t>(static_cast<uint8_t>(p[17])) |
                            static_cast<uint32_t>(static_cast<uint8_t>(p[18])) << 8 |
                            static_cast<uint32_t>(static_cast<uint8_t>(p[19])) << 16;
  // No writer knows of a durable point before LSN 0.
  if (type == 0 || length > kWalMaxPayloadBytes || distance > lsn) {
    return WalFrameStatus::kBadHeader;
  }
  if (input.size() < kWalRecordHeaderBytes + length) return WalFrameStatus::kTruncated;
  if (DecodeFixed32(p) != crc32c::Value(p + 4, kWalRecordHeaderBytes - 4 + length)) {
    return WalFrameStatus::kBadChecksum;
  }
  // Padding carries no data, but a flipped bit there is still damage to report.
  const size_t padded_end = std::min(WalEncodedRecordBytes(length), input.size());
  if (!std::all_of(p + kWalRecordHeaderBytes + length, p + padded_end,
                   [](char c) { return c == 0; })) {
    return WalFrameStatus::kBadPadding;
  }
  frame->lsn = lsn;
  frame->type = type;
  frame->durable_lsn = lsn - distance;
  frame->payload = input.substr(kWalRecordHeaderBytes, length);
  frame->encoded_bytes = padded_end;
  return WalFrameStatus::kOk;
}

std::string_view WalFrameStatusName(WalFrameStatus status) {
  switch (status) {
    case WalFrameStatus::kOk:
      return "ok";
    case WalFrameStatus::kZeros:
      return "unwritten space";
    case WalFrameStatus::kTruncated:
      return "record runs past the end of the segment";
    case WalFrameStatus::kBadHeader:
      return "malformed record header";
    case WalFrameStatus::kBadChecksum:
      return "checksum mismatch";
    case WalFrameStatus::kBadPadding:
      return "non-zero padding after the record";
  }
  return "unknown";
}

}  // namespace docdb::io
