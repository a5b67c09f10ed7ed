// libFuzzer target for the WAL decoders (io/wal_format.h, io/wal_payload.h). The input is
// the bytes of one segment file: it is walked record by record the way WalReader walks a
// segment, and every frame and payload that decodes is checked against its re-encoding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/coding.h"
#include "common/crc32c.h"
#include "docdb/status.h"
#include "fuzz/fuzz_check.h"
#include "io/wal_format.h"
#include "io/wal_payload.h"

namespace docdb::io {
namespace {

constexpr size_t kWalRecordLengthOffset = 4;
constexpr size_t kWalSegmentHeaderCrcOffset = 32;

// True when `inner` lies within `outer`. An empty view points nowhere in particular (a
// collection op's id is a default-constructed view), so it counts as inside.
bool IsInside(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  // std::less gives a total order even over pointers into different objects.
  const std::less<const char*> before;
  return !before(inner.data(), outer.data()) &&
         !before(outer.data() + outer.size(), inner.data() + inner.size());
}

bool SameOps(std::span<const WalOp> a, std::span<const WalOp> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].collection != b[i].collection || a[i].id != b[i].id ||
        a[i].body != b[i].body || a[i].first_lsn != b[i].first_lsn ||
        a[i].last_lsn != b[i].last_lsn) {
      return false;
    }
  }
  return true;
}

// The record type EncodeWalPayload must choose for `ops`: a lone op keeps its own type (so
// a batch of one comes back as a put or delete); several ops are always a batch.
WalRecordType ReencodedType(std::span<const WalOp> ops) {
  if (ops.size() > 1) return WalRecordType::kBatch;
  switch (ops.front().kind) {
    case WalOp::Kind::kPut:
      return WalRecordType::kPut;
    case WalOp::Kind::kDelete:
      return WalRecordType::kDelete;
    case WalOp::Kind::kCreateCollection:
      return WalRecordType::kCreateCollection;
    case WalOp::Kind::kDropCollection:
      return WalRecordType::kDropCollection;
    case WalOp::Kind::kAbort:
      return WalRecordType::kAbort;
  }
  return WalRecordType::kBatch;
}

// The op kinds a record of `type` may decode to, and the fields each kind leaves empty.
void CheckOpShape(uint8_t type, const WalOp& op) {
  switch (static_cast<WalRecordType>(type)) {
    case WalRecordType::kPut:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kPut);
      break;
    case WalRecordType::kDelete:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kDelete);
      break;
    case WalRecordType::kBatch:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kPut || op.kind == WalOp::Kind::kDelete);
      break;
    case WalRecordType::kCreateCollection:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kCreateCollection);
      break;
    case WalRecordType::kDropCollection:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kDropCollection);
      break;
    case WalRecordType::kAbort:
      DOCDB_FUZZ_CHECK(op.kind == WalOp::Kind::kAbort);
      DOCDB_FUZZ_CHECK(op.first_lsn > 0 && op.first_lsn <= op.last_lsn);
      DOCDB_FUZZ_CHECK(op.collection.empty());
      break;
  }
  if (op.kind != WalOp::Kind::kPut) DOCDB_FUZZ_CHECK(op.body.empty());
  if (op.kind == WalOp::Kind::kCreateCollection || op.kind == WalOp::Kind::kDropCollection) {
    DOCDB_FUZZ_CHECK(op.id.empty());
  }
}

// Decodes the payload of a record of known type `type` and, when it parses, checks that
// the ops survive a trip through EncodeWalPayload and DecodeWalPayload unchanged. Bytes
// need not survive: a varint may be written with redundant continuation bytes, which the
// decoder accepts and the encoder never produces.
void CheckPayload(uint8_t type, std::string_view payload) {
  std::vector<WalOp> ops;
  const Status decoded = DecodeWalPayload(type, payload, &ops);
  if (!decoded.ok()) {
    // InvalidArgument is reserved for types without a payload format; a known type's
    // payload that does not parse was written by a broken writer.
    DOCDB_FUZZ_CHECK(decoded.code() == StatusCode::kCorruption);
    return;
  }
  if (type != static_cast<uint8_t>(WalRecordType::kBatch)) DOCDB_FUZZ_CHECK(ops.size() == 1);
  for (const WalOp& op : ops) {
    CheckOpShape(type, op);
    DOCDB_FUZZ_CHECK(IsInside(op.collection, payload));
    DOCDB_FUZZ_CHECK(IsInside(op.id, payload));
    DOCDB_FUZZ_CHECK(IsInside(op.body, payload));
  }
  // A batch may declare zero operations; EncodeWalPayload requires at least one.
  if (ops.empty()) return;

  const WalPayload reencoded = EncodeWalPayload(ops);
  DOCDB_FUZZ_CHECK(reencoded.type == ReencodedType(ops));
  std::vector<WalOp> round_tripped;
  const Status redecoded =
      DecodeWalPayload(static_cast<uint8_t>(reencoded.type), reencoded.bytes, &round_tripped);
  DOCDB_FUZZ_CHECK(redecoded.ok());
  DOCDB_FUZZ_CHECK(SameOps(ops, round_tripped));
}

// Checks a frame that DecodeWalRecord accepted at the start of `input`: its extent, that
// AppendWalRecord writes the same record back byte for byte, and its payload.
void CheckFrame(std::string_view input, const WalFrame& frame) {
  const size_t record_bytes = kWalRecordHeaderBytes + frame.payload.size();
  DOCDB_FUZZ_CHECK(frame.encoded_bytes >= record_bytes);
  DOCDB_FUZZ_CHECK(frame.encoded_bytes <= input.size());
  // The next record starts at a multiple of 8, unless this one ends the input before its
  // padding does.
  DOCDB_FUZZ_CHECK(frame.encoded_bytes % kWalRecordAlignment == 0 ||
                   frame.encoded_bytes == input.size());
  DOCDB_FUZZ_CHECK(frame.payload.data() == input.data() + kWalRecordHeaderBytes);
  DOCDB_FUZZ_CHECK(IsInside(frame.payload, input));
  DOCDB_FUZZ_CHECK(frame.type != 0);

  std::string rewritten;
  AppendWalRecord(&rewritten, frame.lsn, frame.type, frame.payload, frame.durable_lsn);
  DOCDB_FUZZ_CHECK(rewritten.size() == WalEncodedRecordBytes(frame.payload.size()));
  // The fields, the checksum over them and the all-zero padding leave the writer no
  // choice: every byte the frame spans is what AppendWalRecord writes.
  DOCDB_FUZZ_CHECK(std::string_view(rewritten).substr(0, frame.encoded_bytes) ==
                   input.substr(0, frame.encoded_bytes));
  WalFrame reread;
  DOCDB_FUZZ_CHECK(DecodeWalRecord(rewritten, &reread) == WalFrameStatus::kOk);
  DOCDB_FUZZ_CHECK(reread.lsn == frame.lsn);
  DOCDB_FUZZ_CHECK(reread.type == frame.type);
  DOCDB_FUZZ_CHECK(reread.durable_lsn == frame.durable_lsn);
  DOCDB_FUZZ_CHECK(reread.payload == frame.payload);
  DOCDB_FUZZ_CHECK(reread.encoded_bytes == rewritten.size());

  if (IsKnownWalRecordType(frame.type)) CheckPayload(frame.type, frame.payload);
}

// A record checksum rejects almost every mutation of the bytes it covers, so on its own
// the walk would hand the payload decoder little but the seeds' payloads. A record whose
// only fault is its checksum is therefore sealed again with the right one and checked as
// if it had been read.
void CheckResealedRecord(std::string_view input) {
  const uint32_t length = DecodeFixed32(input.data() + kWalRecordLengthOffset);
  // The checksum is compared only once the whole record is known to be there.
  DOCDB_FUZZ_CHECK(input.size() >= kWalRecordHeaderBytes + length);
  std::string record(input.substr(0, kWalRecordHeaderBytes + length));
  EncodeFixed32(record.data(), crc32c::Value(record.data() + kWalRecordLengthOffset,
                                             record.size() - kWalRecordLengthOffset));
  WalFrame frame;
  DOCDB_FUZZ_CHECK(DecodeWalRecord(record, &frame) == WalFrameStatus::kOk);
  CheckFrame(record, frame);
}

// A header that decodes must be the one EncodeWalSegmentHeader writes for its fields.
void CheckSegmentHeader(std::string_view segment) {
  const Result<WalSegmentHeader> header = DecodeWalSegmentHeader(segment);
  if (!header.ok()) {
    DOCDB_FUZZ_CHECK(header.status().code() == StatusCode::kCorruption ||
                     header.status().code() == StatusCode::kNotSupported);
    return;
  }
  const std::string rewritten = EncodeWalSegmentHeader(*header);
  DOCDB_FUZZ_CHECK(rewritten.size() == kWalSegmentHeaderBytes);
  // The last four bytes are reserved: neither checksummed nor checked by the decoder.
  constexpr size_t kCheckedHeaderBytes = kWalSegmentHeaderBytes - 4;
  DOCDB_FUZZ_CHECK(std::string_view(rewritten).substr(0, kCheckedHeaderBytes) ==
                   segment.substr(0, kCheckedHeaderBytes));
}

// The header checksum covers the version and length fields, so mutations of those would
// never get past it: the header is also checked sealed again with the right checksum.
void CheckResealedSegmentHeader(std::string_view segment) {
  if (segment.size() < kWalSegmentHeaderBytes) return;
  std::string header(segment.substr(0, kWalSegmentHeaderBytes));
  EncodeFixed32(header.data() + kWalSegmentHeaderCrcOffset,
                crc32c::Value(header.data(), kWalSegmentHeaderCrcOffset));
  CheckSegmentHeader(header);
}

// Walks the records after the header as WalReader does: a frame that decodes is followed
// by the next at frame.encoded_bytes; anything else makes the reader look for a record at
// the next aligned offset. Unlike a reader this goes on when the header is bad: the
// record decoder does not depend on it, and stopping would waste every input whose
// mutation landed in the header.
void WalkRecords(std::string_view segment) {
  for (size_t offset = kWalSegmentHeaderBytes; offset < segment.size();) {
    const std::string_view rest = segment.substr(offset);
    WalFrame frame;
    const WalFrameStatus status = DecodeWalRecord(rest, &frame);
    if (status == WalFrameStatus::kOk) {
      CheckFrame(rest, frame);
      offset += frame.encoded_bytes;
      continue;
    }
    if (status == WalFrameStatus::kBadChecksum) CheckResealedRecord(rest);
    offset += kWalRecordAlignment;
  }
}

}  // namespace
}  // namespace docdb::io

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view segment(reinterpret_cast<const char*>(data), size);
  docdb::io::CheckSegmentHeader(segment);
  docdb::io::CheckResealedSegmentHeader(segment);
  docdb::io::WalkRecords(segment);
  return 0;
}
