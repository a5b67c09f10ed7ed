// Fault injection and power-cut simulation (io/fault_file_system.h).
#include "io/fault_file_system.h"

#include <cerrno>

#include "common/status_macros.h"
#include "io/errno_status.h"

namespace docdb::io {
namespace {

constexpr std::string_view kGraveyardMarker = ".faultfs-removed-";
constexpr uint64_t kSectorBytes = 512;

std::string_view FaultOpName(FaultOp op) {
  static constexpr std::string_view kNames[kFaultOpCount] = {
      "open",  "read",    "write",  "sync",   "allocate", "truncate",
      "mkdir", "syncdir", "rename", "remove", "list",     "lock"};
  return kNames[static_cast<int>(op)];
}

Status DeadMachine(std::string_view path) {
  return ErrnoStatus(EIO, "after simulated power cut:", path);
}

std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

// A file of a FaultFileSystem: checks for faults, records what each change replaced.
class FaultFile : public File {
 public:
  FaultFile(FaultFileSystem* fs, std::unique_ptr<File> base,
            std::shared_ptr<FaultFileSystem::FileState> state, uint64_t epoch, bool direct)
      : fs_(fs), base_(std::move(base)), state_(std::move(state)), epoch_(epoch), direct_(direct) {}

  Result<size_t> ReadAt(uint64_t offset, size_t n, char* dst) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    DOCDB_RETURN_IF_ERROR(CheckAligned("read", offset, n, dst));
    bool torn = false;
    DOCDB_RETURN_IF_ERROR(fs_->CheckFault(FaultOp::kRead, path(), &torn));
    return base_->ReadAt(offset, n, dst);
  }

  Status WriteAt(uint64_t offset, std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    return WriteLocked(offset, data);
  }

  // Two steps, as on a real disk: a power cut may come between the write and its sync,
  // and then finds the write in flight.
  Status WriteAtAndSync(uint64_t offset, std::string_view data) override {
    if (direct_) fs_->PassWriteGate();
    DOCDB_RETURN_IF_ERROR(WriteAt(offset, data));
    return Sync();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    return SyncLocked();
  }

  Status Allocate(uint64_t offset, uint64_t length) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    bool torn = false;
    DOCDB_RETURN_IF_ERROR(fs_->CheckFault(FaultOp::kAllocate, path(), &torn));
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size_before, base_->Size());
    DOCDB_RETURN_IF_ERROR(base_->Allocate(offset, length));
    const uint64_t size_after = std::max(size_before, offset + length);
    state_->unsynced.push_back({size_before, "", size_before, "", size_after});
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    bool torn = false;
    DOCDB_RETURN_IF_ERROR(fs_->CheckFault(FaultOp::kTruncate, path(), &torn));
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size_before, base_->Size());
    FaultFileSystem::UnsyncedChange change{size, "", size_before, "", size};
    if (size < size_before) {
      DOCDB_RETURN_IF_ERROR(ReadRange(size, size_before - size, &change.bytes_before));
    }
    DOCDB_RETURN_IF_ERROR(base_->Truncate(size));
    state_->unsynced.push_back(std::move(change));
    return Status::OK();
  }

  Result<uint64_t> Size() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    return base_->Size();
  }

  const std::string& path() const override { return base_->path(); }

 private:
  Status CheckAlive() const {
    if (fs_->dead_ || epoch_ != fs_->epoch_) return DeadMachine(path());
    return Status::OK();
  }

  // What the kernel demands of a file opened O_DIRECT.
  Status CheckAligned(std::string_view what, uint64_t offset, size_t n, const void* data) const {
    const uint64_t a = kDirectIoAlignment;
    if (!direct_ || (offset % a == 0 && n % a == 0 && reinterpret_cast<uintptr_t>(data) % a == 0)) {
      return Status::OK();
    }
    return ErrnoStatus(EINVAL,
                       "direct " + std::string(what) + " of " + std::to_string(n) +
                           " bytes at offset " + std::to_string(offset) + " not aligned on",
                       path());
  }

  Status ReadRange(uint64_t offset, uint64_t n, std::string* out) {
    out->resize(n);
    DOCDB_ASSIGN_OR_RETURN(const size_t got, base_->ReadAt(offset, n, out->data()));
    out->resize(got);
    return Status::OK();
  }

  Status WriteLocked(uint64_t offset, std::string_view data) {
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    DOCDB_RETURN_IF_ERROR(CheckAligned("write", offset, data.size(), data.data()));
    bool torn = false;
    Status fault = fs_->CheckFault(FaultOp::kWrite, path(), &torn);
    if (!fault.ok() && !torn) return fault;
    if (!fault.ok()) {
      // A device failing part-way: a seeded prefix of the data lands, then the error.
      data = data.substr(0, fs_->rng_() % (data.size() + 1));
    }
    DOCDB_ASSIGN_OR_RETURN(const uint64_t size_before, base_->Size());
    FaultFileSystem::UnsyncedChange change{offset, "", size_before, std::string(data),
                                           std::max(size_before, offset + data.size())};
    if (offset < size_before) {
      DOCDB_RETURN_IF_ERROR(ReadRange(offset, std::min<uint64_t>(data.size(), size_before - offset),
                                      &change.bytes_before));
    }
    DOCDB_RETURN_IF_ERROR(base_->WriteAt(offset, data));
    state_->unsynced.push_back(std::move(change));
    return fault;
  }

  Status SyncLocked() {
    DOCDB_RETURN_IF_ERROR(CheckAlive());
    bool torn = false;
    // A failed sync leaves the changes unsynced: a power cut may still drop them.
    DOCDB_RETURN_IF_ERROR(fs_->CheckFault(FaultOp::kSync, path(), &torn));
    DOCDB_RETURN_IF_ERROR(base_->Sync());
    state_->unsynced.clear();
    return Status::OK();
  }

  FaultFileSystem* const fs_;
  const std::unique_ptr<File> base_;
  const std::shared_ptr<FaultFileSystem::FileState> state_;
  const uint64_t epoch_;
  const bool direct_;
};

FaultFileSystem::FaultFileSystem(FileSystem* base, uint64_t seed) : base_(base), rng_(seed) {}

FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::InjectFault(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({rule});
}

void FaultFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

uint64_t FaultFileSystem::OpCount(FaultOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_[static_cast<int>(op)];
}

Status FaultFileSystem::CheckFault(FaultOp op, const std::string& path, bool* torn) {
  ++counts_[static_cast<int>(op)];
  const FaultRule* fired = nullptr;
  for (ArmedRule& armed : rules_) {
    if (armed.rule.op != op || path.find(armed.rule.path_contains) == std::string::npos) continue;
    const uint64_t seen = ++armed.seen;  // every matching rule counts the operation
    if (fired == nullptr &&
        (seen == armed.rule.nth || (armed.rule.sticky && seen > armed.rule.nth))) {
      fired = &armed.rule;
    }
  }
  if (fired == nullptr) return Status::OK();
  *torn = fired->torn_write;
  if (op == FaultOp::kSync || op == FaultOp::kSyncDir) {
    return SyncFailedStatus(fired->err, path).WithContext("injected fault");
  }
  return ErrnoStatus(fired->err, "injected fault on " + std::string(FaultOpName(op)) + " of", path);
}

std::shared_ptr<FaultFileSystem::FileState> FaultFileSystem::StateFor(const std::string& path) {
  std::shared_ptr<FileState>& state = files_[path];
  if (!state) state = std::make_shared<FileState>();
  return state;
}

void FaultFileSystem::RekeyState(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return;
  files_[to] = std::move(it->second);
  files_.erase(it);
}

Result<std::unique_ptr<File>> FaultFileSystem::OpenFile(const std::string& path, OpenMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kOpen, path, &torn));
  DOCDB_ASSIGN_OR_RETURN(const bool existed, base_->FileExists(path));
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, base_->OpenFile(path, mode));
  if (!existed) {
    dirs_[NormalizeDir(DirName(path))].push_back({DirChange::kCreated, path, ""});
  }
  return std::unique_ptr<File>(
      std::make_unique<FaultFile>(this, std::move(file), StateFor(path), epoch_, false));
}

void FaultFileSystem::RefuseDirectIo() {
  std::lock_guard<std::mutex> lock(mu_);
  refuse_direct_io_ = true;
}

void FaultFileSystem::HoldNextDirectWrite() {
  std::lock_guard<std::mutex> lock(gate_mu_);
  hold_armed_ = true;
}

void FaultFileSystem::WaitForHeldWrite() {
  std::unique_lock<std::mutex> lock(gate_mu_);
  gate_cv_.wait(lock, [&] { return held_; });
}

void FaultFileSystem::ReleaseHeldWrite() {
  {
    std::lock_guard<std::mutex> lock(gate_mu_);
    held_ = false;
  }
  gate_cv_.notify_all();
}

void FaultFileSystem::PassWriteGate() {
  std::unique_lock<std::mutex> lock(gate_mu_);
  if (!hold_armed_) return;
  hold_armed_ = false;
  held_ = true;
  gate_cv_.notify_all();
  gate_cv_.wait(lock, [&] { return !held_; });
}

Result<std::unique_ptr<File>> FaultFileSystem::OpenDirect(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  if (refuse_direct_io_) return FileSystem::OpenDirect(path);  // NotSupported
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kOpen, path, &torn));
  DOCDB_ASSIGN_OR_RETURN(const bool exists, base_->FileExists(path));
  if (!exists) return ErrnoStatus(ENOENT, "open for direct I/O", path);
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, base_->OpenFile(path, OpenMode::kReadWrite));
  return std::unique_ptr<File>(
      std::make_unique<FaultFile>(this, std::move(file), StateFor(path), epoch_, true));
}

Status FaultFileSystem::CreateDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kCreateDir, path, &torn));
  return base_->CreateDir(path);
}

Status FaultFileSystem::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kSyncDir, path, &torn));
  DOCDB_RETURN_IF_ERROR(base_->SyncDir(path));
  auto it = dirs_.find(NormalizeDir(path));
  if (it == dirs_.end()) return Status::OK();
  for (const DirChange& change : it->second) {
    if (change.kind != DirChange::kRemoved) continue;
    DOCDB_RETURN_IF_ERROR(base_->RemoveFile(change.target));
    files_.erase(change.target);
  }
  dirs_.erase(it);
  return Status::OK();
}

Status FaultFileSystem::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(from);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kRename, from, &torn));
  DOCDB_RETURN_IF_ERROR(base_->RenameFile(from, to));
  RekeyState(from, to);
  dirs_[NormalizeDir(DirName(to))].push_back({DirChange::kRenamed, from, to});
  return Status::OK();
}

Status FaultFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kRemove, path, &torn));
  const std::string graveyard =
      path + std::string(kGraveyardMarker) + std::to_string(++graveyard_seq_);
  DOCDB_RETURN_IF_ERROR(base_->RenameFile(path, graveyard));
  RekeyState(path, graveyard);
  dirs_[NormalizeDir(DirName(path))].push_back({DirChange::kRemoved, path, graveyard});
  return Status::OK();
}

Result<std::vector<std::string>> FaultFileSystem::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kList, path, &torn));
  DOCDB_ASSIGN_OR_RETURN(std::vector<std::string> names, base_->ListDir(path));
  std::erase_if(names,
                [](const std::string& n) { return n.find(kGraveyardMarker) != std::string::npos; });
  return names;
}

Result<bool> FaultFileSystem::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  return base_->FileExists(path);
}

Result<std::unique_ptr<FileLock>> FaultFileSystem::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_) return DeadMachine(path);
  bool torn = false;
  DOCDB_RETURN_IF_ERROR(CheckFault(FaultOp::kLock, path, &torn));
  return base_->LockFile(path);
}

Status FaultFileSystem::UndoChanges(File* file, FileState* state, PowerCutMode mode) {
  // Undo every change, newest first, which restores the last synced image...
  for (auto it = state->unsynced.rbegin(); it != state->unsynced.rend(); ++it) {
    if (!it->bytes_before.empty()) {
      DOCDB_RETURN_IF_ERROR(file->WriteAt(it->offset, it->bytes_before));
    }
    DOCDB_RETURN_IF_ERROR(file->Truncate(it->size_before));
  }
  if (mode == PowerCutMode::kDropUnsynced) return Status::OK();
  // ...then let the seed decide which changes the disk had written anyway.
  for (const UnsyncedChange& change : state->unsynced) {
    if (mode == PowerCutMode::kReorderedSectors && !change.bytes_after.empty()) {
      DOCDB_RETURN_IF_ERROR(KeepRandomSectors(file, change));
      continue;
    }
    const uint64_t fate = rng_() % 3;  // 0 dropped, 1 kept, 2 torn
    if (fate == 0) continue;
    if (change.bytes_after.empty()) {
      DOCDB_RETURN_IF_ERROR(file->Truncate(change.size_after));
      continue;
    }
    uint64_t keep = change.bytes_after.size();
    if (fate == 2) {
      keep = std::min<uint64_t>(keep, (rng_() % (keep / kSectorBytes + 1)) * kSectorBytes);
    }
    if (keep > 0) {
      DOCDB_RETURN_IF_ERROR(
          file->WriteAt(change.offset, std::string_view(change.bytes_after).substr(0, keep)));
    }
  }
  return Status::OK();
}

Status FaultFileSystem::KeepRandomSectors(File* file, const UnsyncedChange& change) {
  const std::string_view bytes = change.bytes_after;
  // Sectors of the file, not of the write: a write need not start on a boundary.
  for (uint64_t pos = 0; pos < bytes.size();) {
    const uint64_t sector_end = (change.offset + pos) / kSectorBytes * kSectorBytes + kSectorBytes;
    const uint64_t n = std::min<uint64_t>(bytes.size() - pos, sector_end - change.offset - pos);
    if (rng_() % 2 == 1) {
      DOCDB_RETURN_IF_ERROR(file->WriteAt(change.offset + pos, bytes.substr(pos, n)));
    }
    pos += n;
  }
  return Status::OK();
}

Status FaultFileSystem::RollBackDirectory(const std::vector<DirChange>& changes) {
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    switch (it->kind) {
      case DirChange::kCreated:
        DOCDB_RETURN_IF_ERROR(base_->RemoveFile(it->path));
        files_.erase(it->path);
        break;
      case DirChange::kRenamed:
      case DirChange::kRemoved:
        DOCDB_RETURN_IF_ERROR(base_->RenameFile(it->target, it->path));
        RekeyState(it->target, it->path);
        break;
    }
  }
  return Status::OK();
}

Status FaultFileSystem::PowerCut(PowerCutMode mode) {
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = true;
  ++epoch_;
  for (auto& [path, state] : files_) {
    if (state->unsynced.empty()) continue;
    DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<File> file, base_->OpenFile(path, OpenMode::kReadWrite));
    DOCDB_RETURN_IF_ERROR(UndoChanges(file.get(), state.get(), mode));
    state->unsynced.clear();
  }
  for (auto& [dir, changes] : dirs_) DOCDB_RETURN_IF_ERROR(RollBackDirectory(changes));
  dirs_.clear();
  files_.clear();
  return Status::OK();
}

void FaultFileSystem::Restart() {
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = false;
}

}  // namespace docdb::io
