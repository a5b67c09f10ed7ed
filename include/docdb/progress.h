// The progress of a long database operation, reported to the caller as it runs
// (docs/admin.md, "Progress"). Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <functional>

namespace docdb {

// How far a long operation (Verify, Compact, Backup, RebuildIndex) has come: `done` of
// `total` units, where the operation's comment names the unit. Reported to a
// ProgressCallback on the thread that called the operation, in order: `done` never falls
// and never passes `total` (which may grow while writes go on), and a successful
// operation reports done == total last. The callback must not call into the database.
struct Progress {
  uint64_t done = 0;
  uint64_t total = 0;
};
using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace docdb
