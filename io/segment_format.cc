// Data segment encoding and decoding (io/segment_format.h, docs/segment-format.md).
#include "io/segment_format.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <utility>

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::io {

std::string EncodeSegmentHeader(uint64_t segment_number) {
  std::string out(kSegmentMagic);
  PutFixed32(&out, kSegmentFormatVersion);
  PutFixed32(&out, kSegmentHeaderBytes);
  PutFixed64(&out, segment_number);
  PutFixed32(&out, crc32c::Value(out.data(), out.size()));
  PutFixed32(&out, 0);
  return out;
}

Result<uint64_t> DecodeSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderBytes) return Status::Corruption("segment header truncated");
  if (bytes.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    return Status::Corruption("not a DocDB data segment (bad magic)");
  }
  if (DecodeFixed32(bytes.data() + 24) != crc32c::Value(bytes.data(), 24) ||
      DecodeFixed32(bytes.data() + 28) != 0) {
    return Status::Corruption("segment header checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version != kSegmentFormatVersion) {
    return Status::NotSupported("data segment format version " + std::to_string(version));
  }
  if (DecodeFixed32(bytes.data() + 12) != kSegmentHeaderBytes) {
    return Status::Corruption("segment header length is wrong");
  }
  return DecodeFixed64(bytes.data() + 16);
}

size_t SegmentRecordBytes(const SegmentRecord& record) {
  return kSegmentRecordHeaderBytes + record.collection.size() + record.id.size() +
         record.body.size();
}

void AppendSegmentRecord(std::string* dst, const SegmentRecord& record) {
  assert(record.collection.size() <= 255 && record.id.size() <= 65535);
  const size_t start = dst->size();
  dst->resize(start + kSegmentRecordHeaderBytes);
  char* p = dst->data() + start;
  EncodeFixed32(p + 4,
                static_cast<uint32_t>(SegmentRecordBytes(record) - kSegmentRecordHeaderBytes));
  EncodeFixed64(p + 8, record.lsn);
  p[16] = static_cast<char>(record.kind);
  p[17] = static_cast<char>(record.collection.size());
  p[18] = static_cast<char>(record.id.size() & 0xFF);
  p[19] = static_cast<char>(record.id.size() >> 8);
  dst->append(record.collection);
  dst->append(record.id);
  dst->append(record.body);
  const uint32_t crc = crc32c::Value(dst->data() + start + 4, dst->size() - start - 4);
  EncodeFixed32(dst->data() + start, crc);
}

Result<SegmentRecord> DecodeSegmentRecord(std::string_view bytes) {
  if (bytes.size() < kSegmentRecordHeaderBytes) {
    return Status::Corruption("segment record truncated to " + std::to_string(bytes.size()) +
                              " bytes");
  }
  const char* p = bytes.data();
  const uint32_t length = DecodeFixed32(p + 4);
  if (length != bytes.size() - kSegmentRecordHeaderBytes) {
    return Status::Corruption("segment record length " + std::to_string(length) +
                              " does not match the indexed length");
  }
  if (DecodeFixed32(p) != crc32c::Value(p + 4, bytes.size() - 4)) {
    return Status::Corruption("segment record checksum mismatch");
  }
  SegmentRecord record;
  record.lsn = DecodeFixed64(p + 8);
  record.kind = static_cast<SegmentRecordKind>(p[16]);
  const size_t collection_bytes = static_cast<uint8_t>(p[17]);
  const size_t id_bytes = static_cast<uint8_t>(p[18]) | (size_t{static_cast<uint8_t>(p[19])} << 8);
  if ((record.kind != SegmentRecordKind::kDocument &&
       record.kind != SegmentRecordKind::kTombstone) ||
      DecodeFixed32(p + 20) != 0 || collection_bytes + id_bytes > length) {
    return Status::Corruption("segment record header is malformed");
  }
  record.collection = bytes.substr(kSegmentRecordHeaderBytes, collection_bytes);
  record.id = bytes.substr(kSegmentRecordHeaderBytes + collection_bytes, id_bytes);
  record.body = bytes.substr(kSegmentRecordHeaderBytes + collection_bytes + id_bytes);
  if (record.kind == SegmentRecordKind::kTombstone && !record.body.empty()) {
    return Status::Corruption("tombstone carries a body");
  }
  return record;
}

void ScanSegmentBytes(std::string_view bytes,
                      const std::function<void(uint64_t, const SegmentRecord&)>& record,
                      const std::function<void(uint64_t, uint64_t)>& damaged) {
  // The record that starts at `offset`, if a valid one does.
  const auto decode_at = [&](size_t offset) -> std::optional<std::pair<SegmentRecord, size_t>> {
    if (bytes.size() - offset < kSegmentRecordHeaderBytes) return std::nullopt;
    const char* p = bytes.data() + offset;
    const uint64_t size = kSegmentRecordHeaderBytes + DecodeFixed32(p + 4);
    // The header's fixed fields first: a checksum over a random length is what is dear.
    if (size > bytes.size() - offset || (p[16] != 1 && p[16] != 2) || p[17] == 0 ||
        DecodeFixed32(p + 20) != 0) {
      return std::nullopt;
    }
    Result<SegmentRecord> decoded =
        DecodeSegmentRecord(bytes.substr(offset, static_cast<size_t>(size)));
    if (!decoded.ok()) return std::nullopt;
    return std::pair(*decoded, static_cast<size_t>(size));
  };
  size_t offset = kSegmentHeaderBytes;
  while (offset < bytes.size()) {
    if (auto found = decode_at(offset)) {
      record(offset, found->first);
      offset += found->second;
      continue;
    }
    // Damage: look for the next offset where a whole record with a good checksum starts.
    size_t next = offset + 1;
    while (next < bytes.size() && !decode_at(next)) ++next;
    damaged(offset, next - offset);
    offset = next;
  }
}

}  // namespace docdb::io
