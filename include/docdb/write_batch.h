// A set of writes across documents and collections committed atomically by DB::Write
// (docs/architecture.md, "Batches"). Thread-safety: like any value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace docdb {

class WriteBatch {
 public:
  enum class OpKind { kPut, kDelete };
  struct Op {
    OpKind kind;
    std::string collection;
    std::string id;
    std::string json;                          // for kPut
    std::optional<uint64_t> expected_version;  // as WriteOptions::expected_version
  };

  // Creates or replaces the document.
  void Put(std::string_view collection, std::string_view id, std::string_view json,
           std::optional<uint64_t> expected_version = std::nullopt) {
    ops_.push_back({OpKind::kPut, std::string(collection), std::string(id), std::string(json),
                    expected_version});
  }
  // Deletes the document; the batch fails with NotFound if it does not exist.
  void Delete(std::string_view collection, std::string_view id,
              std::optional<uint64_t> expected_version = std::nullopt) {
    ops_.push_back(
        {OpKind::kDelete, std::string(collection), std::string(id), "", expected_version});
  }
  void Clear() { ops_.clear(); }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

 private:
  std::vector<Op> ops_;
};

}  // namespace docdb
