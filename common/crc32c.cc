// CRC32C: hardware (SSE4.2) and table-driven implementations behind one entry point.
#include "common/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define DOCDB_CRC32C_X86 1
#endif

namespace docdb::crc32c {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reversed Castagnoli polynomial

// Slicing-by-8 tables: kTables[k][b] is the CRC of byte b followed by k zero bytes.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k) {
      tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xFF];
    }
  }
  return tables;
}
constexpr auto kTables = MakeTables();

uint32_t ExtendTable(uint32_t crc, const uint8_t* p, size_t n) {
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    word ^= crc;  // little-endian: the CRC meets the first four bytes
    crc = kTables[7][word & 0xFF] ^ kTables[6][(word >> 8) & 0xFF] ^
          kTables[5][(word >> 16) & 0xFF] ^ kTables[4][(word >> 24) & 0xFF] ^
          kTables[3][(word >> 32) & 0xFF] ^ kTables[2][(word >> 40) & 0xFF] ^
          kTables[1][(word >> 48) & 0xFF] ^ kTables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xFF];
  return crc;
}

#if DOCDB_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

bool DetectHardware() { return __builtin_cpu_supports("sse4.2") != 0; }
#else
uint32_t ExtendHardware(uint32_t crc, const uint8_t* p, size_t n) { return ExtendTable(crc, p, n); }
bool DetectHardware() { return false; }
#endif

using ExtendFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);

// Chosen once, on first use, so that callers from static initialisers are safe too.
ExtendFn ChooseExtend() {
  static const ExtendFn chosen = DetectHardware() ? ExtendHardware : ExtendTable;
  return chosen;
}

}  // namespace

uint32_t Extend(uint32_t init, const void* data, size_t n) {
  // The stored CRC is the conventional one: pre- and post-inverted.
  return ~ChooseExtend()(~init, static_cast<const uint8_t*>(data), n);
}

uint32_t ExtendPortable(uint32_t init, const void* data, size_t n) {
  return ~ExtendTable(~init, static_cast<const uint8_t*>(data), n);
}

bool IsHardwareAccelerated() { return DetectHardware(); }

}  // namespace docdb::crc32c
