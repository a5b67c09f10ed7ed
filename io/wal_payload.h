// The payloads of DocDB's WAL record types (docs/wal-format.md, "Payloads"): what a put,
// delete, batch or collection record carries. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "io/wal_format.h"

namespace docdb::io {

// One operation of a record. Views point into the payload it was decoded from.
struct WalOp {
  enum class Kind : uint8_t {
    kPut = 1,
    kDelete = 2,
    kCreateCollection = 3,
    kDropCollection = 4,
    // Revokes the records of LSNs [first_lsn, last_lsn], written earlier: writes that
    // were logged but could not be applied, and were answered as failed. Recovery and
    // healing treat them as never written.
    kAbort = 5,
  };
  Kind kind = Kind::kPut;
  std::string_view collection;
  std::string_view id;     // empty for collection operations
  std::string_view body;   // the whole resulting document, for kPut
  uint64_t first_lsn = 0;  // for kAbort
  uint64_t last_lsn = 0;   // for kAbort
};

std::string_view WalOpKindName(WalOp::Kind kind);

// A record payload and the type it must be written with.
struct WalPayload {
  WalRecordType type;
  std::string bytes;
};

// One put or delete becomes a put or delete record; several puts and deletes become a
// batch; a collection operation or an abort must be alone.
WalPayload EncodeWalPayload(std::span<const WalOp> ops);

// Decodes the payload of a record of known type `type` into *ops (views into
// `payload`). Corruption, naming what is wrong, for a payload that does not parse (a
// record with a good CRC but bad contents was written by a broken writer); *ops is then
// empty.
Status DecodeWalPayload(uint8_t type, std::string_view payload, std::vector<WalOp>* ops);

}  // namespace docdb::io
