// DocDB's wire protocol (docs/protocol.md): length-prefixed frames with a checksummed
// header, and the request and response bodies of every command, encoded and decoded in
// one place for the server, the client and the fuzz target. Thread-safety: pure functions
// and value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/db.h"
#include "docdb/status.h"

namespace docdb::ipc {

//  A frame: a 24-byte header, then body_length bytes of body. Integers little-endian.
//  +-------+---------+-------+---------+------------+-------------+------------+
//  | magic | version | flags | command | request_id | body_length | header_crc |
//  |  u32  |   u8    |  u8   |   u16   |    u64     |     u32     |    u32     |
//  +-------+---------+-------+---------+------------+-------------+------------+
//  0       4         5       6         8            16            20           24
//  header_crc is the CRC32C of bytes 0-19, so that a corrupted length is caught before
//  the body is read.
constexpr uint32_t kFrameMagic = 0x50424444;  // the bytes "DDBP"
constexpr uint8_t kProtocolVersion = 1;
constexpr size_t kFrameHeaderBytes = 24;
// Request id 0 is never used by a client: the server answers with it a frame whose own
// id cannot be trusted (bad magic or header checksum), just before it closes.
constexpr uint64_t kConnectionRequestId = 0;

// Frame flags.
constexpr uint8_t kFlagResponse = 0x01;  // set on every frame the server sends
constexpr uint8_t kFlagAtomic = 0x02;    // Execute: every operation applies or none
constexpr uint8_t kKnownFlags = kFlagResponse | kFlagAtomic;

enum class Command : uint16_t {
  kOpenDb = 1,
  kCloseDb = 2,
  kExecute = 3,
  kStats = 4,
  kCreateCollection = 5,
  kDeleteCollection = 6,
  kListCollections = 7,
  kListDbs = 8,
  kHeal = 9,
  kHealAll = 10,
  kHealStats = 11,
  kMetrics = 12,
  kHello = 13,
  kGet = 14,
  kPut = 15,
  kInsert = 16,
  kInsertNew = 17,
  kUpdate = 18,
  kDelete = 19,
  kPatch = 20,
  kMergePatch = 21,
  kScan = 22,
  kCount = 23,
  kCheckpoint = 24,
  kTrim = 25,
  kCompact = 26,
  kVerify = 27,
  kBackup = 28,
  kDropDb = 29,
  kExists = 30,
};
constexpr uint16_t kMaxCommand = 30;

// The name of a command ("put"), or "command <n>" for an unknown one.
std::string CommandName(uint16_t command);

struct FrameHeader {
  uint8_t version = kProtocolVersion;
  uint8_t flags = 0;
  uint16_t command = 0;
  uint64_t request_id = 0;
  uint32_t body_length = 0;
};

void EncodeFrameHeader(const FrameHeader& header, char out[kFrameHeaderBytes]);
// Decodes the first kFrameHeaderBytes of `in`. InvalidArgument for a bad magic or header
// checksum (the request id cannot be trusted), NotSupported for another protocol version
// or unknown flags. The body length is not checked here: limits are the caller's.
Result<FrameHeader> DecodeFrameHeader(std::string_view in);

// Operation types of Execute; 1-4 and 7 keep the product's numbers.
enum class OpType : uint8_t {
  kCreate = 1,  // insert; with an empty id, one is generated
  kRead = 2,
  kUpdate = 3,  // replace; NotFound when missing
  kDelete = 4,
  kPatch = 7,  // JSON Patch
  kPut = 8,    // create or replace
  kMergePatch = 9,
};

// The write an operation type stands for; nullopt for kRead.
std::optional<WriteBatch::OpKind> OpKindOf(OpType type);
// The operation type of a write.
OpType OpTypeOf(WriteBatch::OpKind kind);

struct Operation {
  OpType type = OpType::kRead;
  std::string collection;
  std::string id;
  std::string json;  // the document, the patch, or empty
  std::optional<uint64_t> expected_version;

  friend bool operator==(const Operation&, const Operation&) = default;
};

// A decoded request. Which fields a command uses is in docs/protocol.md; the others stay
// empty.
struct Request {
  Command command = Command::kHello;
  uint64_t request_id = 0;
  bool atomic = false;          // Execute
  std::string db;               // every command that names a database
  std::string collection;       // collection commands, Scan, Count
  std::vector<Operation> ops;   // Execute; single-document commands hold one
  bool force = false;           // DeleteCollection
  ScanOptions scan;             // Scan
  uint16_t client_version = 0;  // Hello
  std::string client_name;      // Hello
  std::string path;             // Backup: the destination directory

  friend bool operator==(const Request& a, const Request& b);
};

// The whole frame (header and body) of a request.
std::string EncodeRequest(const Request& request);
// Decodes a request body. InvalidArgument naming the command and the field that is
// truncated or malformed, or the trailing bytes; NotSupported for an unknown command.
Result<Request> DecodeRequest(const FrameHeader& header, std::string_view body);

// The outcome of one operation: its status and, on success, the version and for reads
// the document (and for a create with a generated id, the id).
struct OpResult {
  Status status;
  uint64_t version = 0;
  std::string id;
  std::string json;
  bool exists = false;  // Exists
};

struct DatabaseInfo {
  std::string name;
  bool open = false;
};

struct ServerHello {
  std::string server_version;
  uint8_t protocol_version = kProtocolVersion;
  uint32_t max_frame_body_bytes = 0;
  uint32_t max_in_flight_per_connection = 0;
  uint32_t max_document_bytes = 0;
  uint64_t uptime_ms = 0;  // since docdbd started; 0 from a server before it was sent
};

struct Response {
  Status status;
  std::vector<OpResult> results;    // Execute (one per operation); single-document commands
  std::vector<Document> documents;  // Scan
  bool more = false;                // Scan: stopped at the frame size; continue after the last
  uint64_t count = 0;               // Count
  std::vector<CollectionInfo> collections;
  std::vector<DatabaseInfo> databases;
  Stats stats;
  bool healed = false;     // Heal
  HealReport heal_report;  // HealAll
  HealingStats healing;    // HealStats
  VerifyReport verify;     // Verify
  ServerHello hello;
  std::string text;  // Metrics
};

// The whole frame of the response to a request of `command` with `request_id`. The
// payload is encoded when the status is OK, and always for Execute.
std::string EncodeResponse(Command command, uint64_t request_id, const Response& response);
// Decodes a response body to a request of `command`; InvalidArgument when malformed.
// Bytes after the fields this version knows are ignored (docs/protocol.md, "Versioning").
Result<Response> DecodeResponse(Command command, std::string_view body);

}  // namespace docdb::ipc
