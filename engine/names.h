// Collection names, document IDs and the index keys built from them (docs/architecture.md,
// "Data model"). Thread-safety: the free functions are pure; DocumentIdGenerator is safe
// to share.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "docdb/status.h"

namespace docdb::engine {

inline constexpr std::string_view kDefaultCollection = "default";
inline constexpr size_t kMaxCollectionNameBytes = 64;
inline constexpr size_t kMaxDocumentIdBytes = 255;

// InvalidArgument naming the problem unless `name` is 1-64 bytes of [A-Za-z0-9_.-] not
// starting with '.'.
Status ValidateCollectionName(std::string_view name);
// The same rule for other names (a server's databases); `kind` names them in the error.
Status ValidateName(std::string_view kind, std::string_view name);
// InvalidArgument naming the problem unless `id` is 1-255 bytes of valid UTF-8 without
// control characters (U+0000-U+001F, U+007F-U+009F).
Status ValidateDocumentId(std::string_view id);

// The index key of a document: the collection's id (the LSN that created it), 8 bytes
// big-endian so that keys sort by collection and then bytewise by document ID.
std::string DocumentKey(uint64_t collection_id, std::string_view id);
// The same key built in place, for a point lookup that allocates nothing. The ID must be
// valid (at most kMaxDocumentIdBytes).
class DocumentKeyBuffer {
 public:
  DocumentKeyBuffer(uint64_t collection_id, std::string_view id);
  std::string_view view() const { return {bytes_.data(), size_}; }

 private:
  std::array<char, 8 + kMaxDocumentIdBytes> bytes_;
  size_t size_;
};
// The first key of a collection, and the first key past it.
std::string CollectionKeyPrefix(uint64_t collection_id);
std::string CollectionKeyEnd(uint64_t collection_id);
// The document ID part of a key, and the collection id part.
std::string_view DocumentIdOfKey(std::string_view key);
uint64_t CollectionIdOfKey(std::string_view key);

// Time-ordered document IDs: 26 characters of Crockford base32, the first 10 a
// millisecond timestamp, the rest random; IDs made by one generator strictly increase.
class DocumentIdGenerator {
 public:
  explicit DocumentIdGenerator(uint64_t seed);
  std::string Next();

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
  uint64_t last_ms_ = 0;
  uint64_t high_ = 0;  // 16 random bits, then
  uint64_t low_ = 0;   // 64 random bits; together incremented within one millisecond
};

}  // namespace docdb::engine
