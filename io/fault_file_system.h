// A FileSystem wrapper for tests that injects failures and simulates power cuts
// (docs/io.md, "Testing with faults"). Deterministic: the same seed and the same
// sequence of operations give the same outcome. Thread-safety: every operation is
// serialised on one mutex, so it may be shared by any number of threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "io/file_system.h"

namespace docdb::io {

enum class FaultOp {
  kOpen,
  kRead,
  kWrite,
  kSync,
  kAllocate,
  kTruncate,
  kCreateDir,
  kSyncDir,
  kRename,
  kRemove,
  kList,
  kLock,
};
inline constexpr int kFaultOpCount = 12;

// "Fail the nth operation of kind `op` (counted from when the rule is added, 1-based)
// with `err`". A write that fails may first write a prefix of its data, as a device
// does when it fails part-way (`torn_write`). A sticky rule fails every later operation
// of that kind too. With `path_contains`, only operations on paths containing it count
// and fail.
struct FaultRule {
  FaultOp op = FaultOp::kWrite;
  uint64_t nth = 1;
  int err = 5;  // EIO
  bool torn_write = false;
  bool sticky = false;
  std::string path_contains = {};
};

enum class PowerCutMode {
  kDropUnsynced,    // every write since its file's last Sync is undone
  kRandomUnsynced,  // each unsynced write is, by the seed, dropped, kept, or torn at a
                    // 512-byte boundary, as a disk that reorders its writes would
  // each 512-byte sector of each unsynced write is, by the seed, kept or dropped on its
  // own, as a disk that writes the sectors of one request in any order would: later
  // sectors may persist while earlier ones do not
  kReorderedSectors,
};

class FaultFileSystem : public FileSystem {
 public:
  // Wraps `base`, which must outlive this object.
  FaultFileSystem(FileSystem* base, uint64_t seed);
  ~FaultFileSystem() override;

  void InjectFault(const FaultRule& rule);
  void ClearFaults();
  // How many operations of this kind were attempted since construction.
  uint64_t OpCount(FaultOp op) const;

  // Puts the files back as a power cut would leave them: writes not made durable by a
  // Sync are undone (per `mode`), files created and renames and removals done since
  // their directory's last SyncDir are rolled back. Afterwards every operation fails
  // with EIO, as on a dead machine, until Restart().
  Status PowerCut(PowerCutMode mode = PowerCutMode::kDropUnsynced);
  // Brings the "machine" back: operations work again and what is on disk now is durable.
  void Restart();
  // From now on OpenDirect answers NotSupported, as a file system without O_DIRECT does.
  void RefuseDirectIo();
  // Holds the next synced write to a file opened with OpenDirect before it begins (it is
  // neither counted nor done yet), until ReleaseHeldWrite: for tests of a write in flight
  // beside others. WaitForHeldWrite returns once a write is held.
  void HoldNextDirectWrite();
  void WaitForHeldWrite();
  void ReleaseHeldWrite();

  std::string_view name() const override { return "fault"; }
  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  // Direct I/O is modelled rather than done: the base file is opened buffered (so that
  // what a power cut undoes can be read back), the alignment the kernel demands is
  // checked (InvalidArgument), and WriteAtAndSync is a write then a sync, between which a
  // power cut may come, as it may during a real RWF_DSYNC write.
  Result<std::unique_ptr<File>> OpenDirect(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<bool> FileExists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

 private:
  friend class FaultFile;

  // One change to a file's bytes or size not yet made durable, with what it replaced.
  struct UnsyncedChange {
    uint64_t offset = 0;
    std::string bytes_before;  // the old contents of [offset, ...) that the change altered
    uint64_t size_before = 0;
    std::string bytes_after;  // for writes: the new bytes
    uint64_t size_after = 0;
  };
  struct FileState {
    std::vector<UnsyncedChange> unsynced;
  };
  // A change to a directory's entries not yet made durable by SyncDir. A removal is
  // a rename into a hidden graveyard name, so that a power cut can bring the file back.
  struct DirChange {
    enum Kind { kCreated, kRenamed, kRemoved } kind;
    std::string path;    // the created file; the rename's or removal's source
    std::string target;  // the rename's destination; the removal's graveyard path
  };

  // Counts the operation and returns the injected error for it, if any. Requires mu_.
  Status CheckFault(FaultOp op, const std::string& path, bool* torn);
  std::shared_ptr<FileState> StateFor(const std::string& path);         // requires mu_
  Status UndoChanges(File* file, FileState* state, PowerCutMode mode);  // requires mu_
  Status KeepRandomSectors(File* file, const UnsyncedChange& change);   // requires mu_
  Status RollBackDirectory(const std::vector<DirChange>& changes);      // requires mu_
  void RekeyState(const std::string& from, const std::string& to);      // requires mu_

  FileSystem* const base_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  uint64_t counts_[kFaultOpCount] = {};
  struct ArmedRule {
    FaultRule rule;
    uint64_t seen = 0;  // the operations it matched since it was added
  };
  std::vector<ArmedRule> rules_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::map<std::string, std::vector<DirChange>> dirs_;  // by directory path
  uint64_t graveyard_seq_ = 0;
  bool dead_ = false;
  bool refuse_direct_io_ = false;

  // Blocks a direct write armed by HoldNextDirectWrite until it is released.
  void PassWriteGate();
  std::mutex gate_mu_;  // not mu_: a held write must not stop the others
  std::condition_variable gate_cv_;
  bool hold_armed_ = false;  // guarded by gate_mu_
  bool held_ = false;        // guarded by gate_mu_
  // Bumped by PowerCut: files opened before it fail every operation, even after Restart.
  uint64_t epoch_ = 0;
};

}  // namespace docdb::io
