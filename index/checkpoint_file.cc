// The checkpoint file (index/checkpoint_file.h):
//
//   magic "DDBCHKPT" | fixed32 version (1) | fixed32 crc32c of the body | body:
//     fixed64 checkpoint LSN
//     varint collections, each: varint-prefixed name, varint ID
//     varint segments, each: fixed64 number, fixed64 length, varint oldest record LSN
//     varint revoked ranges, each: varint first LSN, varint last LSN
#include "index/checkpoint_file.h"

#include "common/coding.h"
#include "common/crc32c.h"

namespace docdb::index {
namespace {

constexpr std::string_view kMagic = "DDBCHKPT";
constexpr uint32_t kVersion = 1;
constexpr size_t kPrefixBytes = 16;

}  // namespace

std::string EncodeCheckpointFile(const CheckpointMeta& meta,
                                 const std::vector<CollectionRecord>& collections) {
  std::string body;
  PutFixed64(&body, meta.checkpoint_lsn);
  PutVarint64(&body, collections.size());
  for (const CollectionRecord& c : collections) {
    PutLengthPrefixed(&body, c.name);
    PutVarint64(&body, c.id);
  }
  PutVarint64(&body, meta.segments.size());
  for (const SegmentLength& s : meta.segments) {
    PutFixed64(&body, s.segment);
    PutFixed64(&body, s.length_bytes);
    PutVarint64(&body, s.min_lsn);
  }
  PutVarint64(&body, meta.revoked.size());
  for (const LsnRange& r : meta.revoked) {
    PutVarint64(&body, r.first);
    PutVarint64(&body, r.last);
  }
  std::string out(kMagic);
  PutFixed32(&out, kVersion);
  PutFixed32(&out, crc32c::Value(body.data(), body.size()));
  return out + body;
}

Status DecodeCheckpointFile(std::string_view bytes, CheckpointMeta* meta,
                            std::vector<CollectionRecord>* collections) {
  if (bytes.size() < kPrefixBytes || bytes.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a DocDB checkpoint file");
  }
  const uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version != kVersion) {
    return Status::NotSupported("checkpoint file version " + std::to_string(version) +
                                " (this DocDB reads version " + std::to_string(kVersion) + ")");
  }
  std::string_view body = bytes.substr(kPrefixBytes);
  if (DecodeFixed32(bytes.data() + 12) != crc32c::Value(body.data(), body.size())) {
    return Status::Corruption("checkpoint file checksum mismatch");
  }
  *meta = CheckpointMeta{};
  collections->clear();
  uint64_t count = 0;
  bool ok = body.size() >= 8;
  if (ok) {
    meta->checkpoint_lsn = DecodeFixed64(body.data());
    body.remove_prefix(8);
  }
  ok = ok && GetVarint64(&body, &count);
  for (uint64_t i = 0; ok && i < count; ++i) {
    CollectionRecord& c = collections->emplace_back();
    std::string_view name;
    ok = GetLengthPrefixed(&body, &name) && GetVarint64(&body, &c.id);
    c.name = name;
  }
  ok = ok && GetVarint64(&body, &count);
  for (uint64_t i = 0; ok && i < count; ++i) {
    SegmentLength& s = meta->segments.emplace_back();
    ok = body.size() >= 16;
    if (!ok) break;
    s.segment = DecodeFixed64(body.data());
    s.length_bytes = DecodeFixed64(body.data() + 8);
    body.remove_prefix(16);
    ok = GetVarint64(&body, &s.min_lsn);
  }
  ok = ok && GetVarint64(&body, &count);
  for (uint64_t i = 0; ok && i < count; ++i) {
    LsnRange& r = meta->revoked.emplace_back();
    ok = GetVarint64(&body, &r.first) && GetVarint64(&body, &r.last);
  }
  if (!ok || !body.empty()) return Status::Corruption("checkpoint file body is malformed");
  return Status::OK();
}

}  // namespace docdb::index
