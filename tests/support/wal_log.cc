// Test verbs over a whole WAL (tests/support/wal_log.h).
#include "tests/support/wal_log.h"

#include <gtest/gtest.h>

namespace docdb::testing {

ReadBack ReadWal(io::FileSystem* fs, const std::string& dir, const io::WalReaderOptions& options) {
  ReadBack out;
  Result<std::unique_ptr<io::WalReader>> reader = io::WalReader::OpenDir(fs, dir, options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  io::WalRecord record;
  for (;;) {
    Result<bool> more = (*reader)->Next(&record);
    if (!more.ok()) {
      out.status = more.status();
      break;
    }
    if (!*more) break;
    out.lsns.push_back(record.lsn);
    out.types.push_back(record.type);
    out.payloads.emplace_back(record.payload);
  }
  out.end = (*reader)->end();
  return out;
}

std::string TestPayload(int writer, int seq, size_t size) {
  std::string p = "w" + std::to_string(writer) + ":" + std::to_string(seq) + ":";
  while (p.size() < size) p += static_cast<char>('a' + (p.size() + seq) % 26);
  p.resize(std::max(size, p.size()));
  return p;
}

}  // namespace docdb::testing
