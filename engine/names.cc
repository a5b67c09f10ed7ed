// Names, IDs and keys (engine/names.h).
#include "engine/names.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "json/string.h"

namespace docdb::engine {
namespace {

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

Status ValidateCollectionName(std::string_view name) { return ValidateName("collection", name); }

Status ValidateName(std::string_view kind, std::string_view name) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid " + std::string(kind) + " name '" + std::string(name) +
                                   "': " + std::string(why));
  };
  if (name.empty() || name.size() > kMaxCollectionNameBytes) return bad("must be 1-64 bytes");
  if (name.front() == '.') return bad("must not start with '.'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return bad("only A-Z, a-z, 0-9, '_', '.' and '-' are allowed");
  }
  return Status::OK();
}

Status ValidateDocumentId(std::string_view id) {
  if (id.empty() || id.size() > kMaxDocumentIdBytes) {
    return Status::InvalidArgument("invalid document ID: must be 1-255 bytes, got " +
                                   std::to_string(id.size()));
  }
  if (const size_t valid = json::ValidUtf8PrefixBytes(id); valid != id.size()) {
    return Status::InvalidArgument("invalid document ID: not valid UTF-8 at byte " +
                                   std::to_string(valid));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const auto b = static_cast<uint8_t>(id[i]);
    // C0 controls and DEL are single bytes; C1 controls (U+0080-U+009F) are C2 80-C2 9F.
    const bool control =
        b < 0x20 || b == 0x7F ||
        (b == 0xC2 && i + 1 < id.size() && static_cast<uint8_t>(id[i + 1]) <= 0x9F);
    if (control) {
      return Status::InvalidArgument("invalid document ID: control character at byte " +
                                     std::to_string(i));
    }
  }
  return Status::OK();
}

std::string DocumentKey(uint64_t collection_id, std::string_view id) {
  std::string key = CollectionKeyPrefix(collection_id);
  key.append(id);
  return key;
}

DocumentKeyBuffer::DocumentKeyBuffer(uint64_t collection_id, std::string_view id)
    : size_(8 + std::min(id.size(), kMaxDocumentIdBytes)) {
  for (int i = 0; i < 8; ++i) bytes_[i] = static_cast<char>(collection_id >> (56 - 8 * i));
  std::memcpy(bytes_.data() + 8, id.data(), size_ - 8);
}

std::string CollectionKeyPrefix(uint64_t collection_id) {
  std::string key;
  key.reserve(8 + kMaxDocumentIdBytes);
  PutBigEndian64(&key, collection_id);
  return key;
}

std::string CollectionKeyEnd(uint64_t collection_id) {
  // Collection ids are LSNs, far below UINT64_MAX, so the successor never wraps.
  return CollectionKeyPrefix(collection_id + 1);
}

std::string_view DocumentIdOfKey(std::string_view key) { return key.substr(8); }

uint64_t CollectionIdOfKey(std::string_view key) {
  uint64_t id = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) id = id << 8 | static_cast<uint8_t>(key[i]);
  return id;
}

DocumentIdGenerator::DocumentIdGenerator(uint64_t seed) : rng_(seed) {}

std::string DocumentIdGenerator::Next() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    high_ = rng_() & 0xFFFF;
    low_ = rng_();
  } else if (++low_ == 0) {
    // Same (or an earlier: the clock stepped back) millisecond: keep increasing.
    if (++high_ > 0xFFFF) {
      high_ = 0;
      ++last_ms_;
    }
  }
  // 48 bits of time, 16 + 64 random bits: 128 bits, written as 26 base32 digits.
  std::string out(26, '0');
  uint64_t hi = (last_ms_ << 16) | high_;
  uint64_t lo = low_;
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | ((hi & 31) << 59);
    hi >>= 5;
  }
  return out;
}

}  // namespace docdb::engine
