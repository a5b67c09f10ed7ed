// WiredTiger (MongoDB's storage engine) as a DocStore: one row-store table with raw
// byte keys and values, logging on (docs/performance-ycsb.md, "Engines"). durable =
// transaction_sync=(enabled=true,method=fsync); relaxed = the log written, not synced per
// commit. Every operation is an auto-commit transaction. WT sessions are single-threaded,
// so each call borrows one (with its cursor) from a pool. Thread-safety: as DocStore.
#include <wiredtiger.h>

#include <memory>
#include <mutex>
#include <vector>

#include "bench/ycsb/store_registry.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

constexpr const char* kTable = "table:usertable";

Status FromWiredTiger(int code, std::string_view what) {
  if (code == 0) return Status::OK();
  if (code == WT_NOTFOUND) return Status::NotFound(std::string(what));
  return Status::IoError("wiredtiger " + std::string(what) + ": " + wiredtiger_strerror(code),
                         code);
}

WT_ITEM Item(std::string_view bytes) {
  WT_ITEM item{};
  item.data = bytes.data();
  item.size = bytes.size();
  return item;
}

std::string ToString(const WT_ITEM& item) {
  return {static_cast<const char*>(item.data), item.size};
}

class WiredTigerStore final : public DocStore {
 public:
  std::string_view name() const override { return "wiredtiger"; }

  Status Open(const std::string& dir, DurabilityMode durability) override {
    const std::string config =
        std::string("create,cache_size=256MB,log=(enabled=true),transaction_sync=(enabled=") +
        (durability == DurabilityMode::kDurable ? "true" : "false") + ",method=fsync)";
    DOCDB_RETURN_IF_ERROR(FromWiredTiger(
        wiredtiger_open(dir.c_str(), nullptr, config.c_str(), &conn_), "open " + dir));
    WT_SESSION* session = nullptr;
    DOCDB_RETURN_IF_ERROR(
        FromWiredTiger(conn_->open_session(conn_, nullptr, nullptr, &session), "session"));
    const int created = session->create(session, kTable, "key_format=u,value_format=u");
    session->close(session, nullptr);
    return FromWiredTiger(created, "create table");
  }

  Status Close() override {
    if (conn_ == nullptr) return Status::OK();
    // Closing the connection closes every pooled session and cursor.
    const int closed = conn_->close(conn_, nullptr);
    conn_ = nullptr;
    idle_cursors_.clear();
    return FromWiredTiger(closed, "close");
  }

  Status Insert(std::string_view key, std::string_view doc) override { return Put(key, doc); }

  Status Put(std::string_view key, std::string_view doc) override {
    DOCDB_ASSIGN_OR_RETURN(WT_CURSOR * c, Borrow());
    WT_ITEM k = Item(key);
    WT_ITEM v = Item(doc);
    c->set_key(c, &k);
    c->set_value(c, &v);
    return Return(c, FromWiredTiger(c->insert(c), key));  // overwrite=true: an upsert
  }

  Status Read(std::string_view key, std::string* doc) override {
    DOCDB_ASSIGN_OR_RETURN(WT_CURSOR * c, Borrow());
    WT_ITEM k = Item(key);
    c->set_key(c, &k);
    Status found = FromWiredTiger(c->search(c), key);
    if (found.ok()) {
      WT_ITEM v{};
      found = FromWiredTiger(c->get_value(c, &v), key);
      if (found.ok()) *doc = ToString(v);
    }
    return Return(c, std::move(found));
  }

  Status UpdateField(std::string_view key, std::string_view field,
                     std::string_view value) override {
    return ReadMergeWrite(*this, key, field, value);
  }

  Status Scan(std::string_view start_key, int count, std::vector<ScanEntry>* out) override {
    out->clear();
    DOCDB_ASSIGN_OR_RETURN(WT_CURSOR * c, Borrow());
    WT_ITEM k = Item(start_key);
    c->set_key(c, &k);
    int exact = 0;
    int ret = c->search_near(c, &exact);
    if (ret == 0 && exact < 0) ret = c->next(c);  // landed before start_key
    for (; ret == 0 && static_cast<int>(out->size()) < count; ret = c->next(c)) {
      WT_ITEM key{};
      WT_ITEM value{};
      if ((ret = c->get_key(c, &key)) != 0 || (ret = c->get_value(c, &value)) != 0) break;
      out->push_back({ToString(key), ToString(value)});
    }
    return Return(c, ret == WT_NOTFOUND ? Status::OK() : FromWiredTiger(ret, "scan"));
  }

 private:
  // A cursor on the table, in a session no other thread is using.
  Result<WT_CURSOR*> Borrow() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_cursors_.empty()) {
        WT_CURSOR* c = idle_cursors_.back();
        idle_cursors_.pop_back();
        return c;
      }
    }
    WT_SESSION* session = nullptr;
    DOCDB_RETURN_IF_ERROR(
        FromWiredTiger(conn_->open_session(conn_, nullptr, nullptr, &session), "session"));
    WT_CURSOR* c = nullptr;
    DOCDB_RETURN_IF_ERROR(
        FromWiredTiger(session->open_cursor(session, kTable, nullptr, nullptr, &c), "cursor"));
    return c;
  }

  // Releases the cursor's position (and so its snapshot) and pools it again.
  Status Return(WT_CURSOR* c, Status status) {
    const int reset = c->reset(c);
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_cursors_.push_back(c);
    }
    if (!status.ok()) return status;
    return FromWiredTiger(reset, "cursor reset");
  }

  WT_CONNECTION* conn_ = nullptr;
  std::mutex mu_;
  std::vector<WT_CURSOR*> idle_cursors_;  // guarded by mu_
};

}  // namespace

std::unique_ptr<DocStore> NewWiredTigerStore() { return std::make_unique<WiredTigerStore>(); }

}  // namespace docdb::ycsb
