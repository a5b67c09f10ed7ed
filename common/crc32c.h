// CRC32C (Castagnoli), the checksum over every record DocDB writes (docs/wal-format.md).
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
// Thread-safety: all functions are pure and safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace docdb::crc32c {

// The CRC32C of data[0, n) continued from the CRC `init` of the bytes before it, so that
// Extend(Value(a), b) == Value(a + b).
uint32_t Extend(uint32_t init, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// The table-driven implementation that Extend falls back to; for tests and benchmarks.
uint32_t ExtendPortable(uint32_t init, const void* data, size_t n);

// True when Extend runs on the hardware instruction.
bool IsHardwareAccelerated();

}  // namespace docdb::crc32c
