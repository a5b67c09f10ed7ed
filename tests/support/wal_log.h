// Test verbs over a whole WAL: read every record back, and the payload a test appends.
#pragma once

#include <string>
#include <vector>

#include "io/wal_reader.h"

namespace docdb::testing {

struct ReadBack {
  Status status;  // Next()'s error, if it stopped on one
  io::WalEnd end;
  std::vector<uint64_t> lsns;
  std::vector<uint8_t> types;
  std::vector<std::string> payloads;
};

ReadBack ReadWal(io::FileSystem* fs, const std::string& dir,
                 const io::WalReaderOptions& options = {});

// A payload that names its writer and sequence and is `size` bytes long, so that a test
// can check that each record holds exactly what was appended.
std::string TestPayload(int writer, int seq, size_t size = 64);

}  // namespace docdb::testing
