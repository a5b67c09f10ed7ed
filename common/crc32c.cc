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
// The crc32 instruction takes three cycles and can start one every cycle, so long inputs
// run as three interleaved streams over consecutive blocks of kStreamBlock bytes, which
// are then joined: the CRC of a block followed by more bytes is that CRC carried through
// as many zero bytes (a linear map of the 32 CRC bits), XORed with the CRC of the bytes.
constexpr size_t kStreamBlock = 128;

// Carries a CRC (no pre- or post-inversion) through kStreamBlock zero bytes: four
// lookups, one per byte of the CRC, in tables built once from the instruction itself.
class ZeroBlockShift {
 public:
  __attribute__((target("sse4.2"))) ZeroBlockShift() {
    uint32_t bit_images[32];
    for (int bit = 0; bit < 32; ++bit) {
      uint64_t c = uint32_t{1} << bit;
      for (size_t i = 0; i < kStreamBlock / 8; ++i) c = _mm_crc32_u64(c, 0);
      bit_images[bit] = static_cast<uint32_t>(c);
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t image = 0;
        for (int j = 0; j < 8; ++j) {
          if ((b >> j) & 1) image ^= bit_images[8 * k + j];
        }
        tables_[k][b] = image;
      }
    }
  }
  uint32_t operator()(uint32_t crc) const {
    return tables_[0][crc & 0xFF] ^ tables_[1][(crc >> 8) & 0xFF] ^ tables_[2][(crc >> 16) & 0xFF] ^
           tables_[3][crc >> 24];
  }

 private:
  uint32_t tables_[4][256];
};

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  if (n >= 3 * kStreamBlock) {
    static const ZeroBlockShift shift;
    do {
      uint64_t a = crc;
      uint64_t b = 0;
      uint64_t c = 0;
      for (size_t i = 0; i < kStreamBlock; i += 8) {
        uint64_t wa = 0;
        uint64_t wb = 0;
        uint64_t wc = 0;
        std::memcpy(&wa, p + i, 8);
        std::memcpy(&wb, p + kStreamBlock + i, 8);
        std::memcpy(&wc, p + 2 * kStreamBlock + i, 8);
        a = _mm_crc32_u64(a, wa);
        b = _mm_crc32_u64(b, wb);
        c = _mm_crc32_u64(c, wc);
      }
      const uint32_t ab = shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
      crc = shift(ab) ^ static_cast<uint32_t>(c);
      p += 3 * kStreamBlock;
      n -= 3 * kStreamBlock;
    } while (n >= 3 * kStreamBlock);
  }
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
