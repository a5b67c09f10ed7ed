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
  enum class OpKind { kPut, kDelete, kInsert, kUpdate, kPatch, kMergePatch };
  struct Op {
    OpKind kind;
    std::string collection;
    std::string id;
    std::string json;  // the document (kPut, kInsert, kUpdate) or the patch (kPatch, kMergePatch)
    std::optional<uint64_t> expected_version;  // as WriteOptions::expected_version
  };

  // Creates or replaces the document.
  void Put(std::string_view collection, std::string_view id, std::string_view json,
           std::optional<uint64_t> expected_version = std::nullopt) {
    Add(OpKind::kPut, collection, id, json, expected_version);
  }
  // Deletes the document; the batch fails with NotFound if it does not exist.
  void Delete(std::string_view collection, std::string_view id,
              std::optional<uint64_t> expected_version = std::nullopt) {
    Add(OpKind::kDelete, collection, id, "", expected_version);
  }
  // Creates the document; the batch fails with AlreadyExists if it exists.
  void Insert(std::string_view collection, std::string_view id, std::string_view json) {
    Add(OpKind::kInsert, collection, id, json, std::nullopt);
  }
  // Replaces the document; the batch fails with NotFound if it does not exist.
  void Update(std::string_view collection, std::string_view id, std::string_view json,
              std::optional<uint64_t> expected_version = std::nullopt) {
    Add(OpKind::kUpdate, collection, id, json, expected_version);
  }
  // Applies a JSON Patch (as DB::Patch) to the document as the batch's earlier operations
  // leave it; the batch fails as DB::Patch would.
  void Patch(std::string_view collection, std::string_view id, std::string_view patch_json,
             std::optional<uint64_t> expected_version = std::nullopt) {
    Add(OpKind::kPatch, collection, id, patch_json, expected_version);
  }
  // Applies a JSON Merge Patch (as DB::MergePatch), like Patch.
  void MergePatch(std::string_view collection, std::string_view id,
                  std::string_view merge_patch_json,
                  std::optional<uint64_t> expected_version = std::nullopt) {
    Add(OpKind::kMergePatch, collection, id, merge_patch_json, expected_version);
  }
  void Clear() { ops_.clear(); }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

  // Adds an operation of any kind, as the call of that kind does (`json` is empty for a
  // delete; an insert takes no expected version): for callers that hold the kind as data.
  void Add(OpKind kind, std::string_view collection, std::string_view id, std::string_view json,
           std::optional<uint64_t> expected_version) {
    ops_.push_back(
        {kind, std::string(collection), std::string(id), std::string(json), expected_version});
  }

 private:
  std::vector<Op> ops_;
};

}  // namespace docdb
