// The data segment format, version 1 (docs/segment-format.md): self-describing records
// holding document bodies and tombstones, each naming its collection, ID and LSN.
// Encoding and decoding only. Thread-safety: pure functions.
//
// A segment file data/seg-<n>.dat:
//
//   0                8         12        16                24       28      32
//   +----------------+---------+---------+----------------+--------+-------+
//   | magic DOCDBSEG | version | hdr len | segment number | crc32c | zero  |
//   +----------------+---------+---------+----------------+--------+-------+
//   | record | record | ...
//
// A record (no alignment):
//
//   0        4        8                16     17           18       20       24
//   +--------+--------+----------------+------+------------+--------+--------+------------+----+------+
//   | crc32c | length | LSN            | kind | coll. len  | id len | zero   | collection | id |
//   body |
//   +--------+--------+----------------+------+------------+--------+--------+------------+----+------+
//   length = bytes after the 24-byte header; crc32c covers bytes [4, 24 + length).
//   kind 1 = document body, 2 = tombstone (no body). Any other kind is corruption.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "docdb/status.h"

namespace docdb::io {

inline constexpr std::string_view kSegmentMagic = "DOCDBSEG";
inline constexpr uint32_t kSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderBytes = 32;
inline constexpr size_t kSegmentRecordHeaderBytes = 24;

enum class SegmentRecordKind : uint8_t { kDocument = 1, kTombstone = 2 };

struct SegmentRecord {
  SegmentRecordKind kind = SegmentRecordKind::kDocument;
  uint64_t lsn = 0;
  std::string_view collection;  // views into the decoded bytes
  std::string_view id;
  std::string_view body;
};

std::string EncodeSegmentHeader(uint64_t segment_number);
// The segment number, or Corruption / NotSupported saying what is wrong.
Result<uint64_t> DecodeSegmentHeader(std::string_view bytes);

// The encoded size of a record; collection names are at most 255 bytes and IDs at most
// 65535 (the engine's limits are lower).
size_t SegmentRecordBytes(const SegmentRecord& record);
void AppendSegmentRecord(std::string* dst, const SegmentRecord& record);

// Decodes exactly one record from `bytes` (which must hold exactly one). Corruption,
// naming what is wrong, for a bad checksum, length or kind.
Result<SegmentRecord> DecodeSegmentRecord(std::string_view bytes);

// Reads the records of a segment's bytes (from its start, header included, to the
// length to read) for forensics and index rebuilds: calls record(offset, record) for each
// valid one in order, and, where the bytes stop making sense, damaged(offset, bytes) for
// the stretch skipped before the next offset at which a valid record begins (or the end).
// The header is not checked.
void ScanSegmentBytes(std::string_view bytes,
                      const std::function<void(uint64_t, const SegmentRecord&)>& record,
                      const std::function<void(uint64_t, uint64_t)>& damaged);

}  // namespace docdb::io
