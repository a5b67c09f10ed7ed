// A database in docdbd, used through the docdb::DB interface (docs/client.md): every call
// is one request on a shared ClientConnection. Thread-safety: as DB.
#pragma once

#include <memory>
#include <string>

#include "docdb/db.h"
#include "engine/names.h"
#include "ipc/client_connection.h"

namespace docdb::ipc {

class RemoteDB : public DB {
 public:
  RemoteDB(std::shared_ptr<ClientConnection> connection, std::string name);

  Status CreateCollection(std::string_view name) override;
  Status DropCollection(std::string_view name, bool force) override;
  Result<std::vector<CollectionInfo>> ListCollections() override;
  Result<uint64_t> Insert(std::string_view collection, std::string_view id,
                          std::string_view json) override;
  Result<Document> InsertNew(std::string_view collection, std::string_view json) override;
  // Made here, with the engine's generator: time-ordered, and random enough that two
  // clients do not meet (an insert that did would fail with AlreadyExists).
  std::string GenerateDocumentId() override;
  Result<uint64_t> Put(std::string_view collection, std::string_view id, std::string_view json,
                       const WriteOptions& options) override;
  Result<uint64_t> Update(std::string_view collection, std::string_view id, std::string_view json,
                          const WriteOptions& options) override;
  Result<uint64_t> Delete(std::string_view collection, std::string_view id,
                          const WriteOptions& options) override;
  Result<uint64_t> Patch(std::string_view collection, std::string_view id,
                         std::string_view patch_json, const WriteOptions& options) override;
  Result<uint64_t> MergePatch(std::string_view collection, std::string_view id,
                              std::string_view merge_patch_json,
                              const WriteOptions& options) override;
  Result<Document> Get(std::string_view collection, std::string_view id) override;
  Result<bool> Exists(std::string_view collection, std::string_view id) override;
  // Pages through the server's answers until the limit or the end.
  Result<std::vector<Document>> Scan(std::string_view collection,
                                     const ScanOptions& options) override;
  Result<uint64_t> Count(std::string_view collection) override;
  Status Write(const WriteBatch& batch) override;
  void WriteAsync(WriteBatch batch, std::function<void(Result<uint64_t>)> done) override;
  Status Checkpoint() override;
  Status TrimWal() override;
  // Through a server, Compact, Verify and Backup report no progress: the protocol
  // answers a request once, at its end.
  Status Compact(const ProgressCallback& progress = nullptr) override;
  Result<Stats> GetStats() override;
  Result<bool> HealDocument(std::string_view collection, std::string_view id) override;
  Result<HealReport> HealAll() override;
  Result<HealingStats> GetHealingStats() override;
  Result<VerifyReport> Verify(const ProgressCallback& progress = nullptr) override;
  Status Backup(const std::string& destination_dir,
                const ProgressCallback& progress = nullptr) override;
  // The server's whole exposition (Metrics command); CollectMetrics is NotSupported.
  Result<std::string> Metrics() override;
  Status CollectMetrics(std::vector<prometheus::MetricFamily>* families) override;

 private:
  Request RequestFor(Command command) const;
  // A single-document command; returns its operation's result.
  Result<OpResult> CallOne(Command command, std::string_view collection, std::string_view id,
                           std::string_view json, std::optional<uint64_t> expected_version);
  // A command answered with a status only.
  Status CallForStatus(Request request);
  static Request AtomicExecuteOf(const WriteBatch& batch, Request request);

  const std::shared_ptr<ClientConnection> connection_;
  const std::string name_;
  engine::DocumentIdGenerator id_generator_;
};

}  // namespace docdb::ipc
