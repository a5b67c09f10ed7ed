// JSON Patch application (json/patch.h).
//
// The document is parsed into a JsonValue that the operations change in place; the input
// text is never touched, so a failed operation leaves nothing to undo: the tree is
// dropped. JsonPatcher keeps the exact minified size of the tree up to date with every
// change, so that an operation that would take the document past the size limit (a copy
// of the root into itself doubles it) fails at once instead of after exhausting memory.
#include "json/patch.h"

#include <cassert>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "json/patch_operation.h"
#include "json/pointer.h"
#include "json/string.h"
#include "json/value.h"

namespace docdb::json {
namespace {

using Kind = JsonPatchOperation::Kind;

// The most bytes of a value a failed test quotes in its message.
constexpr size_t kTestMessageValueBytes = 80;

// Prefixes the pointer's role ("path" or "from") and text to an error about it.
Status AtPointer(std::string_view role, const JsonPointer& pointer, Status status) {
  if (status.ok()) return status;
  return status.WithContext(std::string(role) + " " + QuoteForMessage(pointer.text(), 200));
}

Status NotAContainer(const JsonPointer& pointer, size_t token_index, const JsonValue& value) {
  return Status::FailedPrecondition("the value at " + pointer.DescribePlace(token_index) + " is " +
                                    std::string(DescribeJsonKind(value.kind())) +
                                    ", which has no member or element " +
                                    QuoteForMessage(pointer.tokens()[token_index]));
}

std::string Excerpt(const JsonValue& value) {
  std::string text = value.ToMinifiedJson();
  if (text.size() <= kTestMessageValueBytes) return text;
  size_t keep = kTestMessageValueBytes;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  text.resize(keep);
  return text + "...";
}

// A document under change, with its minified size.
class JsonPatcher {
 public:
  JsonPatcher(JsonValue document, const JsonLimits& limits)
      : root_(std::move(document)), limits_(limits), bytes_(root_.MinifiedBytes()) {}

  // Applies `operation`, the operation at `index` of its patch. On error the document is
  // in an unspecified state and must be dropped.
  Status Apply(JsonPatchOperation operation, size_t index) {
    const Kind kind = operation.kind;
    Status status = Dispatch(std::move(operation));
    if (status.ok() && bytes_ > limits_.max_bytes) {
      status = Status::InvalidArgument("the document would grow to " + std::to_string(bytes_) +
                                       " bytes, over the limit of " +
                                       std::to_string(limits_.max_bytes) + " bytes");
    }
    if (status.ok()) return status;
    return status.WithContext("patch operation " + std::to_string(index) + " (" +
                              std::string(JsonPatchOperationName(kind)) + ")");
  }

  std::string TakeResult() {
    std::string result = root_.ToMinifiedJson();
    assert(result.size() == bytes_);
    return result;
  }

 private:
  Status Dispatch(JsonPatchOperation&& op) {
    switch (op.kind) {
      case Kind::kAdd:
        return AtPointer("path", op.path, Add(op.path, std::move(op.value)));
      case Kind::kRemove:
      case Kind::kDelete:
        return AtPointer("path", op.path, Remove(op.path));
      case Kind::kReplace:
        return AtPointer("path", op.path, Replace(op.path, std::move(op.value)));
      case Kind::kMove:
        return Move(op.from, op.path);
      case Kind::kCopy:
        return Copy(op.from, op.path);
      case Kind::kTest:
        return AtPointer("path", op.path, Test(op.path, op.value));
      case Kind::kSet:
        return AtPointer("path", op.path, Set(op.path, std::move(op.value)));
      case Kind::kInsert:
        return AtPointer("path", op.path, Insert(op.path, std::move(op.value)));
    }
    return Status::Internal("unknown patch operation kind");
  }

  // RFC 6902 4.1: the root is replaced; an object member is created or replaced; into an
  // array the value is inserted at an index <= length, or appended at "-".
  Status Add(const JsonPointer& path, JsonValue value) {
    DOCDB_RETURN_IF_ERROR(CheckDepth(path, value));
    if (path.is_root()) return ReplaceValue(&root_, std::move(value));
    const size_t last = path.tokens().size() - 1;
    DOCDB_ASSIGN_OR_RETURN(auto* parent, path.ResolvePrefix(&root_, last));
    if (parent->is_object()) return PutMember(parent, path.tokens()[last], std::move(value));
    if (!parent->is_array()) return NotAContainer(path, last, *parent);
    DOCDB_ASSIGN_OR_RETURN(const size_t position,
                           path.ArrayPosition(*parent, last, /*allow_end=*/true));
    return InsertElement(parent, position, std::move(value));
  }

  // RFC 6902 4.2 (and DocDB's delete): the member or element must exist.
  Status Remove(const JsonPointer& path) { return Take(path).status(); }

  // RFC 6902 4.3: the target must exist; the root may be replaced.
  Status Replace(const JsonPointer& path, JsonValue value) {
    DOCDB_ASSIGN_OR_RETURN(auto* target, path.Resolve(&root_));
    DOCDB_RETURN_IF_ERROR(CheckDepth(path, value));
    return ReplaceValue(target, std::move(value));
  }

  // RFC 6902 4.4: remove at "from", then add at "path" in the document without it.
  Status Move(const JsonPointer& from, const JsonPointer& path) {
    if (from.IsProperPrefixOf(path)) {
      return AtPointer("from", from,
                       Status::FailedPrecondition("cannot move a value into its own child " +
                                                  QuoteForMessage(path.text(), 200)));
    }
    if (from.tokens() == path.tokens()) {
      return AtPointer("from", from, path.Resolve(&root_).status());
    }
    Result<JsonValue> value = Take(from);
    if (!value.ok()) return AtPointer("from", from, value.status());
    return AtPointer("path", path, Add(path, std::move(value).value()));
  }

  // RFC 6902 4.5: add a deep copy of the value at "from".
  Status Copy(const JsonPointer& from, const JsonPointer& path) {
    Result<JsonValue*> source = from.Resolve(&root_);
    if (!source.ok()) return AtPointer("from", from, source.status());
    JsonValue copy = **source;
    return AtPointer("path", path, Add(path, std::move(copy)));
  }

  // RFC 6902 4.6: the target must exist and equal the value (JsonValue::Equals).
  Status Test(const JsonPointer& path, const JsonValue& expected) {
    DOCDB_ASSIGN_OR_RETURN(const JsonValue* actual, path.Resolve(root_));
    if (actual->Equals(expected)) return Status::OK();
    return Status::FailedPrecondition("test failed: the value is " + Excerpt(*actual) + ", not " +
                                      Excerpt(expected));
  }

  // DocDB's set: like add into an object, but missing objects on the way are created, and
  // in an array it replaces an existing element (insert is the way to add one).
  Status Set(const JsonPointer& path, JsonValue value) {
    DOCDB_RETURN_IF_ERROR(CheckDepth(path, value));
    if (path.is_root()) return ReplaceValue(&root_, std::move(value));
    const size_t last = path.tokens().size() - 1;
    JsonValue* current = &root_;
    for (size_t i = 0; i < last; ++i) {
      DOCDB_ASSIGN_OR_RETURN(current, StepCreatingObjects(path, current, i));
    }
    if (current->is_object()) return PutMember(current, path.tokens()[last], std::move(value));
    if (!current->is_array()) return NotAContainer(path, last, *current);
    DOCDB_ASSIGN_OR_RETURN(const size_t position,
                           path.ArrayPosition(*current, last, /*allow_end=*/false));
    return ReplaceValue(&current->array()[position], std::move(value));
  }

  // DocDB's insert: into an array only, at an index <= length or at "-".
  Status Insert(const JsonPointer& path, JsonValue value) {
    DOCDB_RETURN_IF_ERROR(CheckDepth(path, value));
    const size_t last = path.tokens().size() - 1;
    DOCDB_ASSIGN_OR_RETURN(auto* parent, path.ResolvePrefix(&root_, last));
    if (!parent->is_array()) {
      return Status::FailedPrecondition("insert needs an array at " + path.DescribePlace(last) +
                                        ", which is " +
                                        std::string(DescribeJsonKind(parent->kind())));
    }
    DOCDB_ASSIGN_OR_RETURN(const size_t position,
                           path.ArrayPosition(*parent, last, /*allow_end=*/true));
    return InsertElement(parent, position, std::move(value));
  }

  // One step of set's walk: into the member or element token `index` names, creating an
  // empty object for a missing member.
  Result<JsonValue*> StepCreatingObjects(const JsonPointer& path, JsonValue* current,
                                         size_t index) {
    const std::string& token = path.tokens()[index];
    if (current->is_object()) {
      size_t found = current->FindMember(token);
      if (found == current->object().size()) {
        DOCDB_RETURN_IF_ERROR(PutMember(current, token, JsonValue::EmptyObject()));
      }
      return &current->object()[found].value;
    }
    if (!current->is_array()) return NotAContainer(path, index, *current);
    DOCDB_ASSIGN_OR_RETURN(const size_t position,
                           path.ArrayPosition(*current, index, /*allow_end=*/false));
    return &current->array()[position];
  }

  // Removes the member or element `path` names (not the root) and returns it.
  Result<JsonValue> Take(const JsonPointer& path) {
    assert(!path.is_root());
    // Resolving the whole path first gives the precise error when it does not exist.
    DOCDB_RETURN_IF_ERROR(path.Resolve(&root_).status());
    const size_t last = path.tokens().size() - 1;
    DOCDB_ASSIGN_OR_RETURN(auto* parent, path.ResolvePrefix(&root_, last));
    size_t position = 0;
    if (parent->is_object()) {
      position = parent->FindMember(path.tokens()[last]);
      JsonMember& member = parent->object()[position];
      bytes_ -= SeparatorBytes(parent->object().size()) + MemberBytes(member.name, member.value);
      JsonValue taken = std::move(member.value);
      parent->object().erase(parent->object().begin() + static_cast<ptrdiff_t>(position));
      return taken;
    }
    DOCDB_ASSIGN_OR_RETURN(position, path.ArrayPosition(*parent, last, /*allow_end=*/false));
    JsonValue& element = parent->array()[position];
    bytes_ -= SeparatorBytes(parent->array().size()) + element.MinifiedBytes();
    JsonValue taken = std::move(element);
    parent->array().erase(parent->array().begin() + static_cast<ptrdiff_t>(position));
    return taken;
  }

  // A value added at `path` sits inside one container per token.
  Status CheckDepth(const JsonPointer& path, const JsonValue& value) const {
    const size_t depth = path.tokens().size() + value.Depth();
    if (depth <= limits_.max_depth) return Status::OK();
    return Status::InvalidArgument("the document would nest " + std::to_string(depth) +
                                   " arrays and objects deep, over the limit of " +
                                   std::to_string(limits_.max_depth));
  }

  // The comma that separates an element or member from its neighbours, in a container
  // holding `count` of them with it.
  static size_t SeparatorBytes(size_t count) { return count > 1 ? 1 : 0; }

  static size_t MemberBytes(std::string_view name, const JsonValue& value) {
    return QuotedJsonStringBytes(name) + 1 + value.MinifiedBytes();
  }

  Status ReplaceValue(JsonValue* target, JsonValue value) {
    bytes_ = bytes_ - target->MinifiedBytes() + value.MinifiedBytes();
    *target = std::move(value);
    return Status::OK();
  }

  Status PutMember(JsonValue* object, std::string_view name, JsonValue value) {
    const size_t found = object->FindMember(name);
    if (found < object->object().size()) {
      return ReplaceValue(&object->object()[found].value, std::move(value));
    }
    bytes_ += SeparatorBytes(object->object().size() + 1) + MemberBytes(name, value);
    object->object().push_back({std::string(name), std::move(value)});
    return Status::OK();
  }

  Status InsertElement(JsonValue* array, size_t position, JsonValue value) {
    bytes_ += SeparatorBytes(array->array().size() + 1) + value.MinifiedBytes();
    array->array().insert(array->array().begin() + static_cast<ptrdiff_t>(position),
                          std::move(value));
    return Status::OK();
  }

  JsonValue root_;
  const JsonLimits limits_;
  size_t bytes_;  // root_.MinifiedBytes(), kept up to date by every change
};

}  // namespace

Result<std::string> ApplyJsonPatch(std::string_view document, std::string_view patch_json,
                                   const JsonLimits& limits) {
  DOCDB_ASSIGN_OR_RETURN(std::vector<JsonPatchOperation> operations,
                         ParseJsonPatchOperations(patch_json, limits));
  Result<JsonValue> parsed = ParseJsonValue(document, limits);
  if (!parsed.ok()) return parsed.status().WithContext("document");
  JsonPatcher patcher(std::move(parsed).value(), limits);
  for (size_t i = 0; i < operations.size(); ++i) {
    DOCDB_RETURN_IF_ERROR(patcher.Apply(std::move(operations[i]), i));
  }
  return patcher.TakeResult();
}

}  // namespace docdb::json
