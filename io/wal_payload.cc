// WAL record payloads (io/wal_payload.h).
//
//   put:               varint-prefixed collection | varint-prefixed id | body (the rest)
//   delete:            varint-prefixed collection | varint-prefixed id
//   batch:             varint count | count × (kind byte | collection | id | [body]),
//                      every string varint-prefixed; kind 1 = put (has a body), 2 = delete
//   create/drop-collection: the collection name (the whole payload)
//   abort:             varint first LSN | varint last LSN (first <= last)
#include "io/wal_payload.h"

#include <cassert>

#include "common/coding.h"

namespace docdb::io {
namespace {

Status BadPayload(uint8_t type, std::string_view what) {
  return Status::Corruption("malformed " + WalRecordTypeName(type) +
                            " payload: " + std::string(what));
}

void PutKeyed(std::string* out, const WalOp& op) {
  PutLengthPrefixed(out, op.collection);
  PutLengthPrefixed(out, op.id);
}

Status DecodeOps(uint8_t type, std::string_view payload, std::vector<WalOp>* ops) {
  ops->clear();
  WalOp op;
  switch (static_cast<WalRecordType>(type)) {
    case WalRecordType::kPut:
    case WalRecordType::kDelete:
      op.kind = type == static_cast<uint8_t>(WalRecordType::kPut) ? WalOp::Kind::kPut
                                                                  : WalOp::Kind::kDelete;
      if (!GetLengthPrefixed(&payload, &op.collection) || !GetLengthPrefixed(&payload, &op.id)) {
        return BadPayload(type, "collection or id runs past the end");
      }
      if (op.kind == WalOp::Kind::kPut) {
        op.body = payload;
      } else if (!payload.empty()) {
        return BadPayload(type, "trailing bytes");
      }
      ops->push_back(op);
      return Status::OK();
    case WalRecordType::kCreateCollection:
    case WalRecordType::kDropCollection:
      op.kind = type == static_cast<uint8_t>(WalRecordType::kCreateCollection)
                    ? WalOp::Kind::kCreateCollection
                    : WalOp::Kind::kDropCollection;
      op.collection = payload;
      ops->push_back(op);
      return Status::OK();
    case WalRecordType::kAbort:
      op.kind = WalOp::Kind::kAbort;
      if (!GetVarint64(&payload, &op.first_lsn) || !GetVarint64(&payload, &op.last_lsn) ||
          !payload.empty()) {
        return BadPayload(type, "not two LSNs");
      }
      if (op.first_lsn == 0 || op.first_lsn > op.last_lsn) {
        return BadPayload(type, "LSN range " + std::to_string(op.first_lsn) + "-" +
                                    std::to_string(op.last_lsn) + " is empty");
      }
      ops->push_back(op);
      return Status::OK();
    case WalRecordType::kBatch:
      break;
    default:
      return Status::InvalidArgument("no payload format for " + WalRecordTypeName(type));
  }
  uint64_t count = 0;
  if (!GetVarint64(&payload, &count)) return BadPayload(type, "bad operation count");
  // Every operation takes at least three bytes, which bounds a corrupt count.
  if (count > payload.size() / 3) return BadPayload(type, "operation count exceeds payload");
  ops->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    if (payload.empty()) return BadPayload(type, "operations run past the end");
    op = WalOp{};
    op.kind = static_cast<WalOp::Kind>(payload.front());
    payload.remove_prefix(1);
    if (op.kind != WalOp::Kind::kPut && op.kind != WalOp::Kind::kDelete) {
      return BadPayload(type, "operation " + std::to_string(i) + " has unknown kind");
    }
    if (!GetLengthPrefixed(&payload, &op.collection) || !GetLengthPrefixed(&payload, &op.id) ||
        (op.kind == WalOp::Kind::kPut && !GetLengthPrefixed(&payload, &op.body))) {
      return BadPayload(type, "operation " + std::to_string(i) + " runs past the end");
    }
    ops->push_back(op);
  }
  if (!payload.empty()) return BadPayload(type, "trailing bytes after the last operation");
  return Status::OK();
}

}  // namespace

std::string_view WalOpKindName(WalOp::Kind kind) {
  switch (kind) {
    case WalOp::Kind::kPut:
      return "put";
    case WalOp::Kind::kDelete:
      return "delete";
    case WalOp::Kind::kCreateCollection:
      return "create-collection";
    case WalOp::Kind::kDropCollection:
      return "drop-collection";
    case WalOp::Kind::kAbort:
      return "abort";
  }
  return "unknown";
}

WalPayload EncodeWalPayload(std::span<const WalOp> ops) {
  assert(!ops.empty());
  WalPayload out{WalRecordType::kBatch, {}};
  if (ops.size() == 1) {
    const WalOp& op = ops.front();
    switch (op.kind) {
      case WalOp::Kind::kPut:
        out.type = WalRecordType::kPut;
        PutKeyed(&out.bytes, op);
        out.bytes.append(op.body);
        return out;
      case WalOp::Kind::kDelete:
        out.type = WalRecordType::kDelete;
        PutKeyed(&out.bytes, op);
        return out;
      case WalOp::Kind::kCreateCollection:
      case WalOp::Kind::kDropCollection:
        out.type = op.kind == WalOp::Kind::kCreateCollection ? WalRecordType::kCreateCollection
                                                             : WalRecordType::kDropCollection;
        out.bytes.assign(op.collection);
        return out;
      case WalOp::Kind::kAbort:
        out.type = WalRecordType::kAbort;
        PutVarint64(&out.bytes, op.first_lsn);
        PutVarint64(&out.bytes, op.last_lsn);
        return out;
    }
  }
  PutVarint64(&out.bytes, ops.size());
  for (const WalOp& op : ops) {
    assert(op.kind == WalOp::Kind::kPut || op.kind == WalOp::Kind::kDelete);
    out.bytes.push_back(static_cast<char>(op.kind));
    PutKeyed(&out.bytes, op);
    if (op.kind == WalOp::Kind::kPut) PutLengthPrefixed(&out.bytes, op.body);
  }
  return out;
}

Status DecodeWalPayload(uint8_t type, std::string_view payload, std::vector<WalOp>* ops) {
  Status status = DecodeOps(type, payload, ops);
  if (!status.ok()) ops->clear();
  return status;
}

}  // namespace docdb::io
