// JSON Merge Patch (json/merge_patch.h).
#include "json/merge_patch.h"

#include <cassert>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json/value.h"

namespace docdb::json {
namespace {

// Objects up to this size are searched member by member; larger ones get a hash index so
// that merging a large patch into a large object stays linear.
constexpr size_t kLinearLookupMembers = 16;

void MergeInto(JsonValue* target, JsonValue patch);

// Finds the members an object had before a merge began. The patch's names are unique (the
// reader rejects duplicates), so no name is looked up twice and the members the merge
// appends never need finding: each lookup costs at most the original object's size, or
// O(1) through a hash index for a large one.
class MemberFinder {
 public:
  // Requires `members` to have capacity for every append to come: the index holds views
  // of the names, which a reallocation would move.
  explicit MemberFinder(const JsonValue::Object* members)
      : members_(members), original_size_(members->size()) {
    if (original_size_ <= kLinearLookupMembers) return;
    index_.reserve(original_size_);
    for (size_t i = 0; i < original_size_; ++i) index_.emplace((*members)[i].name, i);
  }

  // The position of the original member `name`, or kNotFound.
  size_t Find(std::string_view name) const {
    if (original_size_ <= kLinearLookupMembers) {
      for (size_t i = 0; i < original_size_; ++i) {
        if ((*members_)[i].name == name) return i;
      }
      return kNotFound;
    }
    const auto it = index_.find(name);
    return it == index_.end() ? kNotFound : it->second;
  }

  static constexpr size_t kNotFound = static_cast<size_t>(-1);

 private:
  const JsonValue::Object* members_;
  const size_t original_size_;
  std::unordered_map<std::string_view, size_t> index_;
};

// RFC 7386 section 2, for a patch that is an object and a target that is one.
void MergeMembers(JsonValue::Object* target, JsonValue::Object patch) {
  target->reserve(target->size() + patch.size());
  const MemberFinder finder(target);
  // Removals are marked and done in one pass at the end, so that positions stay put.
  std::vector<bool> removed(target->size(), false);
  bool any_removed = false;
  for (JsonMember& change : patch) {
    const size_t found = finder.Find(change.name);
    if (change.value.kind() == JsonValue::Kind::kNull) {
      if (found != MemberFinder::kNotFound) {
        removed[found] = true;
        any_removed = true;
      }
      continue;
    }
    if (found != MemberFinder::kNotFound) {
      MergeInto(&(*target)[found].value, std::move(change.value));
      continue;
    }
    // A new member is the patch value merged into nothing: nulls inside it vanish.
    JsonValue added;
    MergeInto(&added, std::move(change.value));
    target->push_back({std::move(change.name), std::move(added)});
  }
  if (!any_removed) return;
  size_t kept = 0;
  for (size_t i = 0; i < target->size(); ++i) {
    if (i < removed.size() && removed[i]) continue;
    if (kept != i) (*target)[kept] = std::move((*target)[i]);
    ++kept;
  }
  target->resize(kept);
}

// Recurses once per level of the patch, which the reader's depth limit bounds.
void MergeInto(JsonValue* target, JsonValue patch) {
  if (!patch.is_object()) {
    *target = std::move(patch);
    return;
  }
  if (!target->is_object()) *target = JsonValue::EmptyObject();
  MergeMembers(&target->object(), std::move(patch.object()));
}

}  // namespace

Result<std::string> ApplyJsonMergePatch(std::string_view document,
                                        std::string_view merge_patch_json,
                                        const JsonLimits& limits) {
  Result<JsonValue> patch = ParseJsonValue(merge_patch_json, limits);
  if (!patch.ok()) return patch.status().WithContext("merge patch");
  Result<JsonValue> merged = ParseJsonValue(document, limits);
  if (!merged.ok()) return merged.status().WithContext("document");
  MergeInto(&merged.value(), std::move(patch).value());
  // Every value in the result sits where it sat in the document or in the patch, so the
  // result is no deeper than they are.
  assert(merged->Depth() <= limits.max_depth);
  std::string result = merged->ToMinifiedJson();
  if (result.size() > limits.max_bytes) {
    return Status::InvalidArgument("the merged document would be " + std::to_string(result.size()) +
                                   " bytes, over the limit of " + std::to_string(limits.max_bytes) +
                                   " bytes");
  }
  return result;
}

}  // namespace docdb::json
