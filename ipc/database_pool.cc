// The databases of a server (ipc/database_pool.h).
#include "ipc/database_pool.h"

#include <filesystem>

#include "common/status_macros.h"
#include "engine/names.h"
#include "io/file_names.h"
#include "io/file_system.h"

namespace docdb::ipc {
namespace {

// A database being dropped is first renamed to this hidden name, which no valid
// database name can take, so that a crash mid-delete leaves nothing that looks like it.
constexpr std::string_view kDroppingPrefix = ".dropping-";

}  // namespace

DatabasePool::DatabasePool(std::string root, Options options)
    : root_(std::move(root)), options_(std::move(options)) {}

DatabasePool::~DatabasePool() { CloseAll(); }

Status DatabasePool::ValidateName(std::string_view name) {
  return engine::ValidateName("database", name);
}

std::shared_ptr<DB> DatabasePool::Find(std::string_view name) const {
  std::shared_lock<std::shared_mutex> lock(map_mu_);
  auto it = open_.find(name);
  return it == open_.end() ? nullptr : it->second.db;
}

Result<std::shared_ptr<DB>> DatabasePool::Open(std::string_view name) {
  DOCDB_RETURN_IF_ERROR(ValidateName(name));
  std::lock_guard<std::mutex> change(change_mu_);
  if (std::shared_ptr<DB> db = Find(name)) return db;
  Result<std::unique_ptr<DB>> opened = DB::Open(io::JoinPath(root_, name), options_);
  if (!opened.ok()) return opened.status().WithContext("database '" + std::string(name) + "'");
  // The pool learns that a database is closed when its last reference goes, wherever
  // that is: the deleter destroys it (committing its queued writes, checkpointing) and
  // then tells whoever waits in CloseLocked.
  auto closed = std::make_shared<std::promise<void>>();
  std::shared_ptr<DB> db(opened->release(), [closed](DB* d) {
    delete d;
    closed->set_value();
  });
  std::unique_lock<std::shared_mutex> lock(map_mu_);
  open_.emplace(std::string(name), Entry{db, closed->get_future().share()});
  return db;
}

std::vector<std::pair<std::string, std::shared_ptr<DB>>> DatabasePool::OpenDatabases() const {
  std::shared_lock<std::shared_mutex> lock(map_mu_);
  std::vector<std::pair<std::string, std::shared_ptr<DB>>> out;
  for (const auto& [name, entry] : open_) out.emplace_back(name, entry.db);
  return out;
}

bool DatabasePool::CloseLocked(std::string_view name) {
  Entry entry;
  {
    std::unique_lock<std::shared_mutex> lock(map_mu_);
    auto it = open_.find(name);
    if (it == open_.end()) return false;
    entry = std::move(it->second);
    open_.erase(it);
  }
  entry.db.reset();
  entry.closed.wait();
  return true;
}

Status DatabasePool::Close(std::string_view name) {
  DOCDB_RETURN_IF_ERROR(ValidateName(name));
  std::lock_guard<std::mutex> change(change_mu_);
  if (!CloseLocked(name)) {
    return Status::NotFound("database '" + std::string(name) + "' is not open");
  }
  return Status::OK();
}

Status DatabasePool::Drop(std::string_view name) {
  DOCDB_RETURN_IF_ERROR(ValidateName(name));
  std::lock_guard<std::mutex> change(change_mu_);
  const std::string dir = io::JoinPath(root_, name);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("database '" + std::string(name) + "' does not exist");
  }
  CloseLocked(name);
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<io::FileSystem> fs,
                         io::NewFileSystem(io::IoBackend::kPosix));
  {
    // Holding the database's lock proves that no other process has it open.
    Result<std::unique_ptr<io::FileLock>> lock = fs->LockFile(io::LockFilePath(dir));
    if (!lock.ok()) {
      if (lock.status().code() == StatusCode::kBusy) {
        return Status::FailedPrecondition(
            "database '" + std::string(name) +
            "' is open in another process: " + std::string(lock.status().message()));
      }
      return lock.status();
    }
    const std::string dropping =
        io::JoinPath(root_, std::string(kDroppingPrefix) + std::string(name));
    std::filesystem::remove_all(dropping, ec);
    DOCDB_RETURN_IF_ERROR(fs->RenameFile(dir, dropping));
    DOCDB_RETURN_IF_ERROR(fs->SyncDir(root_));
    std::filesystem::remove_all(dropping, ec);
    if (ec) {
      return Status::IoError("database '" + std::string(name) + "' was dropped, but removing " +
                                 dropping + " failed: " + ec.message(),
                             ec.value());
    }
  }
  return Status::OK();
}

Result<std::vector<DatabaseInfo>> DatabasePool::List() const {
  std::vector<DatabaseInfo> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !ValidateName(name).ok()) continue;
    out.push_back({name, Find(name) != nullptr});
  }
  if (ec) return Status::IoError("listing databases in " + root_ + ": " + ec.message(), ec.value());
  std::sort(out.begin(), out.end(),
            [](const DatabaseInfo& a, const DatabaseInfo& b) { return a.name < b.name; });
  return out;
}

void DatabasePool::CloseAll() {
  std::lock_guard<std::mutex> change(change_mu_);
  std::vector<std::string> names;
  {
    std::shared_lock<std::shared_mutex> lock(map_mu_);
    for (const auto& [name, entry] : open_) names.push_back(name);
  }
  for (const std::string& name : names) CloseLocked(name);
}

}  // namespace docdb::ipc
