// JsonPatchOperation: one operation of a patch document, checked and decoded from its
// JSON form (docs/patch.md, "Patch documents"). Thread-safety: a value type; the parse
// function is reentrant.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "json/limits.h"
#include "json/pointer.h"
#include "json/value.h"

namespace docdb::json {

struct JsonPatchOperation {
  // RFC 6902's six operations, then DocDB's own three.
  enum class Kind : uint8_t {
    kAdd,
    kRemove,
    kReplace,
    kMove,
    kCopy,
    kTest,
    kSet,
    kDelete,
    kInsert
  };

  Kind kind = Kind::kTest;
  JsonPointer path;
  JsonPointer from;  // move and copy only
  JsonValue value;   // add, replace, test, set and insert only
};

// The operation's name as a patch writes it in "op": "add", ..., "insert".
std::string_view JsonPatchOperationName(JsonPatchOperation::Kind kind);

// Parses a patch document: a JSON array of objects {"op", "path", "value"?, "from"?}
// (members other than these are ignored, as RFC 6902 requires). The document is read
// under `limits` except that it may nest two levels deeper than a body, so that a value
// it carries may be as deep as a body. InvalidArgument for invalid JSON (ReadJson's
// messages), and, naming the operation's index, for anything else wrong with the patch as
// such: not an array, an operation that is not an object, a missing or unknown "op", a
// missing member the op needs, a member of the wrong type, an invalid pointer, or a
// remove, delete or insert of the whole document.
Result<std::vector<JsonPatchOperation>> ParseJsonPatchOperations(std::string_view patch_json,
                                                                 const JsonLimits& limits);

}  // namespace docdb::json
