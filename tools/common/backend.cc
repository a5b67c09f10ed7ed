// The tools' backends (tools/common/backend.h).
#include "tools/common/backend.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "common/status_macros.h"
#include "engine/names.h"
#include "ipc/database_pool.h"

namespace docdb::tools {
namespace {

class RemoteBackend : public Backend {
 public:
  RemoteBackend(std::unique_ptr<Client> client, std::string socket_path)
      : client_(std::move(client)), socket_path_(std::move(socket_path)) {}
  Result<std::unique_ptr<DB>> Open(const std::string& name) override {
    return client_->OpenDatabase(name);
  }
  Result<std::vector<DatabaseEntry>> List() override { return client_->ListDatabases(); }
  Status Drop(const std::string& name) override { return client_->DropDatabase(name); }
  std::string Describe() const override {
    return "docdbd " + client_->server().server_version + " at " + socket_path_;
  }
  std::optional<uint64_t> UptimeMs() const override { return client_->server().uptime_ms; }

 private:
  std::unique_ptr<Client> client_;
  std::string socket_path_;
};

class LocalBackend : public Backend {
 public:
  explicit LocalBackend(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  Result<std::unique_ptr<DB>> Open(const std::string& name) override {
    DOCDB_RETURN_IF_ERROR(engine::ValidateName("database", name));
    std::error_code ec;
    std::filesystem::create_directories(data_dir_, ec);
    if (ec) return Status::IoError("creating " + data_dir_ + ": " + ec.message(), ec.value());
    Result<std::unique_ptr<DB>> db = DB::Open(data_dir_ + "/" + name);
    if (db.status().code() == StatusCode::kBusy) {
      return Status::Busy("database " + data_dir_ + "/" + name +
                          " is open in another process, most likely the docdbd serving " +
                          data_dir_ + " (its LOCK is held): go through it with --socket");
    }
    return db;
  }
  Status Drop(const std::string& name) override {
    // The server's rule, with the same safety: the database's own LOCK must be free.
    ipc::DatabasePool pool(data_dir_, Options{});
    return pool.Drop(name);
  }
  Result<std::vector<DatabaseEntry>> List() override {
    std::vector<DatabaseEntry> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data_dir_, ec)) {
      const std::string name = e.path().filename().string();
      if (e.is_directory() && engine::ValidateName("database", name).ok()) {
        out.push_back({name, false});
      }
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Status::IoError("listing " + data_dir_ + ": " + ec.message(), ec.value());
    }
    std::sort(out.begin(), out.end(),
              [](const DatabaseEntry& a, const DatabaseEntry& b) { return a.name < b.name; });
    return out;
  }
  std::string Describe() const override { return "data directory " + data_dir_; }
  std::optional<uint64_t> UptimeMs() const override { return std::nullopt; }

 private:
  std::string data_dir_;
};

}  // namespace

Result<std::unique_ptr<Backend>> ConnectBackend(const std::string& socket_path) {
  ClientOptions options;
  options.socket_path = socket_path;
  options.client_name = "docdbsh";
  DOCDB_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, Client::Connect(options));
  return std::unique_ptr<Backend>(std::make_unique<RemoteBackend>(std::move(client), socket_path));
}

std::unique_ptr<Backend> EmbeddedBackend(const std::string& data_dir) {
  return std::make_unique<LocalBackend>(data_dir);
}

Result<std::unique_ptr<Backend>> OpenBackend(const std::string& socket_path,
                                             const std::string& data_dir) {
  if (!data_dir.empty()) return EmbeddedBackend(data_dir);
  return ConnectBackend(socket_path.empty() ? kDefaultSocketPath : socket_path);
}

}  // namespace docdb::tools
