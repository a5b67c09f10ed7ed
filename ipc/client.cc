// docdb::Client (include/docdb/client.h, docs/client.md).
#include "docdb/client.h"

#include "common/status_macros.h"
#include "ipc/client_connection.h"
#include "ipc/remote_db.h"

namespace docdb {
namespace {

class ClientImpl : public Client {
 public:
  explicit ClientImpl(std::shared_ptr<ipc::ClientConnection> connection)
      : connection_(std::move(connection)) {}

  Result<std::unique_ptr<DB>> OpenDatabase(std::string_view name) override {
    DOCDB_RETURN_IF_ERROR(CallForStatus(ipc::Command::kOpenDb, name));
    return std::unique_ptr<DB>(std::make_unique<ipc::RemoteDB>(connection_, std::string(name)));
  }
  Status CloseDatabase(std::string_view name) override {
    return CallForStatus(ipc::Command::kCloseDb, name);
  }
  Status DropDatabase(std::string_view name) override {
    return CallForStatus(ipc::Command::kDropDb, name);
  }
  Result<std::vector<DatabaseEntry>> ListDatabases() override {
    ipc::Request req;
    req.command = ipc::Command::kListDbs;
    DOCDB_ASSIGN_OR_RETURN(ipc::Response r, connection_->Call(std::move(req)));
    if (!r.status.ok()) return r.status;
    std::vector<DatabaseEntry> out;
    for (const ipc::DatabaseInfo& d : r.databases) out.push_back({d.name, d.open});
    return out;
  }
  const ServerInfo& server() const override { return connection_->server(); }

 private:
  Status CallForStatus(ipc::Command command, std::string_view db) {
    ipc::Request req;
    req.command = command;
    req.db = db;
    Result<ipc::Response> r = connection_->Call(std::move(req));
    return r.ok() ? r->status : r.status();
  }

  const std::shared_ptr<ipc::ClientConnection> connection_;
};

}  // namespace

Result<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(std::shared_ptr<ipc::ClientConnection> connection,
                         ipc::ClientConnection::Connect(options));
  return std::unique_ptr<Client>(std::make_unique<ClientImpl>(std::move(connection)));
}

}  // namespace docdb
