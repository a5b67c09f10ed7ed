// The WAL's on-disk format, version 3 (docs/wal-format.md): segment header, record
// framing, record types. Encoding and decoding only; no I/O. Thread-safety: pure.
//
// A segment file wal-<n>.log:
//
//   0                8         12        16                24                32       36      40
//   +----------------+---------+---------+----------------+----------------+--------+-------+
//   | magic DOCDBWAL | version | hdr len | segment number | first LSN      | crc32c | zero  |
//   +----------------+---------+---------+----------------+----------------+--------+-------+
//   | record | record | ... | zeros (preallocated, never written) ...                       |
//
// A record, starting at an offset that is a multiple of 8:
//
//   0        4        8                16     17                20
//   +--------+--------+----------------+------+-----------------+-----------------+---------+
//   | crc32c | length | LSN            | type | durable distance| payload: length | padding |
//   +--------+--------+----------------+------+-----------------+-----------------+---------+
//   crc32c covers bytes [4, 20 + length): length, LSN, type, durable distance and payload.
//   Durable distance (24 bits): LSN minus the newest LSN the writer knew to be durable
//   when it wrote the record, capped at 2^24 - 1; zero in version-1 segments.
//   Zero padding brings the next record to a multiple of 8; non-zero padding is damage.
//
// Version 3 adds block padding: zeros from the end of a record to the next multiple of
// kWalBlockBytes, followed there by the record with the next LSN. The writer leaves it
// when a group's write begins while the previous group's write is still in flight.
//
// All integers are little-endian. Record types 1-127 must be understood by a reader: an
// unknown one stops reading with NotSupported. Types 128-255 are informational: a
// reader that does not know one skips it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "docdb/status.h"

namespace docdb::io {

inline constexpr std::string_view kWalMagic = "DOCDBWAL";
inline constexpr uint32_t kWalFormatVersion = 3;
// The first version whose segments may hold block padding.
inline constexpr uint32_t kWalBlockPaddingVersion = 3;
inline constexpr uint64_t kWalBlockBytes = 4096;
inline constexpr uint32_t kWalOldestReadableVersion = 1;
inline constexpr uint32_t kWalMaxDurableDistance = (1u << 24) - 1;
inline constexpr size_t kWalSegmentHeaderBytes = 40;
inline constexpr size_t kWalRecordHeaderBytes = 20;
inline constexpr size_t kWalRecordAlignment = 8;
inline constexpr uint32_t kWalMaxPayloadBytes = 256u << 20;

enum class WalRecordType : uint8_t {
  kPut = 1,               // one document written: collection, id, body
  kDelete = 2,            // one document deleted: collection, id
  kBatch = 3,             // several puts and deletes committed together
  kCreateCollection = 4,  // collection name
  kDropCollection = 5,    // collection name
  kAbort = 6,             // revokes the records of an LSN range: they never happened
};

// "put", "delete", ... or "unknown-<n>".
std::string WalRecordTypeName(uint8_t type);
// The type named by WalRecordTypeName, for filters; false for other names.
bool ParseWalRecordTypeName(std::string_view name, uint8_t* type);
bool IsKnownWalRecordType(uint8_t type);
inline bool IsSkippableWalRecordType(uint8_t type) { return type >= 128; }

struct WalSegmentHeader {
  uint64_t segment_number = 0;
  uint64_t first_lsn = 0;  // the LSN the segment's first record has (or will have)
  uint32_t version = kWalFormatVersion;
};

std::string EncodeWalSegmentHeader(const WalSegmentHeader& header);
// Corruption naming the problem for a bad magic, checksum or length; NotSupported for a
// version this build cannot read (it reads versions 1 to 3).
Result<WalSegmentHeader> DecodeWalSegmentHeader(std::string_view bytes);

// The bytes one record of `payload_bytes` takes, padding included.
inline size_t WalEncodedRecordBytes(size_t payload_bytes) {
  const size_t raw = kWalRecordHeaderBytes + payload_bytes;
  return (raw + kWalRecordAlignment - 1) / kWalRecordAlignment * kWalRecordAlignment;
}

// Appends one framed record to *dst, which must end at a multiple of 8. `durable_lsn`
// (at most `lsn`) is the newest LSN known to be durable as the record is written.
void AppendWalRecord(std::string* dst, uint64_t lsn, uint8_t type, std::string_view payload,
                     uint64_t durable_lsn);

enum class WalFrameStatus {
  kOk,
  kZeros,        // the header is all zero bytes: space that was never written
  kTruncated,    // the header or payload runs past the end of the input
  kBadHeader,    // type 0, a length over the maximum, or a durable distance over the LSN
  kBadChecksum,  // the CRC does not match
  kBadPadding,   // the zero padding after the payload is not zero
};

struct WalFrame {
  uint64_t lsn = 0;
  uint8_t type = 0;
  // The newest LSN the writer knew durable when it wrote this record (lower by up to the
  // cap's excess when the distance was capped); `lsn` itself in version-1 records, which
  // did not record it.
  uint64_t durable_lsn = 0;
  std::string_view payload;  // points into the decoded input
  size_t encoded_bytes = 0;
};

// Decodes the record at the start of `input`.
WalFrameStatus DecodeWalRecord(std::string_view input, WalFrame* frame);

std::string_view WalFrameStatusName(WalFrameStatus status);

}  // namespace docdb::io
