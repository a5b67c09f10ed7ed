// Decoding of patch documents (json/patch_operation.h).
#include "json/patch_operation.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "json/string.h"

namespace docdb::json {
namespace {

using Kind = JsonPatchOperation::Kind;

// What each op needs besides "path".
struct OpSpec {
  std::string_view name;
  Kind kind;
  bool needs_value;
  bool needs_from;
};

constexpr OpSpec kOpSpecs[] = {
    {"add", Kind::kAdd, true, false},         {"remove", Kind::kRemove, false, false},
    {"replace", Kind::kReplace, true, false}, {"move", Kind::kMove, false, true},
    {"copy", Kind::kCopy, false, true},       {"test", Kind::kTest, true, false},
    {"set", Kind::kSet, true, false},         {"delete", Kind::kDelete, false, false},
    {"insert", Kind::kInsert, true, false},
};

// An operation's message starts with its index and, once known, its op, so that a
// client can find it in a long patch.
Status BadOperation(size_t index, std::string_view op_name, std::string_view what) {
  std::string message = "patch operation " + std::to_string(index);
  if (!op_name.empty()) message += " (" + std::string(op_name) + ")";
  return Status::InvalidArgument(message + ": " + std::string(what));
}

const OpSpec* FindOpSpec(std::string_view name) {
  for (const OpSpec& spec : kOpSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// The value of member `name` of the operation object, or nullptr.
JsonValue* FindMemberValue(JsonValue* operation, std::string_view name) {
  const size_t found = operation->FindMember(name);
  if (found == operation->object().size()) return nullptr;
  return &operation->object()[found].value;
}

Result<JsonPointer> ParsePointerMember(JsonValue* operation, std::string_view member, size_t index,
                                       std::string_view op_name) {
  const JsonValue* value = FindMemberValue(operation, member);
  const std::string quoted = "\"" + std::string(member) + "\"";
  if (value == nullptr) return BadOperation(index, op_name, "missing " + quoted);
  if (value->kind() != JsonValue::Kind::kString) {
    return BadOperation(
        index, op_name,
        quoted + " must be a string, not " + std::string(DescribeJsonKind(value->kind())));
  }
  Result<JsonPointer> pointer = JsonPointer::Parse(value->string_value());
  if (!pointer.ok()) {
    return BadOperation(index, op_name, quoted + ": " + std::string(pointer.status().message()));
  }
  return pointer;
}

// Takes the operation's members out of `operation` (the patch tree is discarded after).
Result<JsonPatchOperation> ParseOperation(JsonValue* operation, size_t index) {
  if (!operation->is_object()) {
    return BadOperation(
        index, "",
        "an operation is an object, not " + std::string(DescribeJsonKind(operation->kind())));
  }
  const JsonValue* op = FindMemberValue(operation, "op");
  if (op == nullptr) return BadOperation(index, "", "missing \"op\"");
  if (op->kind() != JsonValue::Kind::kString) {
    return BadOperation(
        index, "", "\"op\" must be a string, not " + std::string(DescribeJsonKind(op->kind())));
  }
  const OpSpec* spec = FindOpSpec(op->string_value());
  if (spec == nullptr) {
    return BadOperation(index, "",
                        "unknown op " + QuoteForMessage(op->string_value()) +
                            " (expected add, remove, replace, move, copy, test, set, delete or "
                            "insert)");
  }
  JsonPatchOperation parsed;
  parsed.kind = spec->kind;
  DOCDB_ASSIGN_OR_RETURN(parsed.path, ParsePointerMember(operation, "path", index, spec->name));
  if (spec->needs_from) {
    DOCDB_ASSIGN_OR_RETURN(parsed.from, ParsePointerMember(operation, "from", index, spec->name));
  }
  if (spec->needs_value) {
    JsonValue* value = FindMemberValue(operation, "value");
    if (value == nullptr) return BadOperation(index, spec->name, "missing \"value\"");
    parsed.value = std::move(*value);
  }
  // The document itself is not a member or an element: it cannot be removed, and an
  // insertion needs an array to go into.
  if (parsed.path.is_root() && (spec->kind == Kind::kRemove || spec->kind == Kind::kDelete)) {
    return BadOperation(index, spec->name,
                        "\"path\" is \"\": the whole document cannot be removed");
  }
  if (parsed.path.is_root() && spec->kind == Kind::kInsert) {
    return BadOperation(index, spec->name,
                        "\"path\" is \"\": insert needs an array element's path");
  }
  return parsed;
}

}  // namespace

std::string_view JsonPatchOperationName(JsonPatchOperation::Kind kind) {
  for (const OpSpec& spec : kOpSpecs) {
    if (spec.kind == kind) return spec.name;
  }
  return "unknown";
}

Result<std::vector<JsonPatchOperation>> ParseJsonPatchOperations(std::string_view patch_json,
                                                                 const JsonLimits& limits) {
  // The array and the operation object wrap each value in two levels.
  JsonLimits patch_limits = limits;
  patch_limits.max_depth = std::max(limits.max_depth, limits.max_depth + 2);  // no wrap
  Result<JsonValue> parsed = ParseJsonValue(patch_json, patch_limits);
  if (!parsed.ok()) return parsed.status().WithContext("patch");
  JsonValue patch = std::move(parsed).value();
  if (!patch.is_array()) {
    return Status::InvalidArgument("a JSON Patch is an array of operations, not " +
                                   std::string(DescribeJsonKind(patch.kind())));
  }
  std::vector<JsonPatchOperation> operations;
  operations.reserve(patch.array().size());
  for (size_t i = 0; i < patch.array().size(); ++i) {
    DOCDB_ASSIGN_OR_RETURN(JsonPatchOperation operation, ParseOperation(&patch.array()[i], i));
    operations.push_back(std::move(operation));
  }
  return operations;
}

}  // namespace docdb::json
