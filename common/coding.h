// Little-endian fixed-width and varint coding of integers, as used by every on-disk format
// (docs/wal-format.md). Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace docdb {

inline void EncodeFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void EncodeFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t DecodeFixed32(const char* src) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(src[i])} << (8 * i);
  return v;
}
inline uint64_t DecodeFixed64(const char* src) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(src[i])} << (8 * i);
  return v;
}

inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, 8);
}

// Unsigned LEB128: seven bits a byte, low bits first; at most 10 bytes for 64 bits.
void PutVarint64(std::string* dst, uint64_t v);
// A varint length followed by that many bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// Each Get* consumes from the front of `in`; it returns false, leaving `in` unspecified,
// when the input ends early or a varint is longer than its type allows.
bool GetVarint64(std::string_view* in, uint64_t* v);
bool GetVarint32(std::string_view* in, uint32_t* v);
bool GetLengthPrefixed(std::string_view* in, std::string_view* value);

}  // namespace docdb
