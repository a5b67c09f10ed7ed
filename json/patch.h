// ApplyJsonPatch: JSON Patch (RFC 6902) and DocDB's set, delete and insert operations,
// applied atomically to a document (docs/patch.md). Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "docdb/status.h"
#include "json/limits.h"

namespace docdb::json {

// Applies the patch document `patch_json` (a JSON array of operations, see
// ParseJsonPatchOperations) to the JSON value `document`, operation by operation, and
// returns the resulting document minified as ValidateAndMinifyJson would (member order
// and number digits kept). Atomic: either every operation applies or an error is returned
// and nothing else; `document` is never modified.
// Errors (messages name the operation's index, its op and the pointer at fault):
// - InvalidArgument: `document` or `patch_json` is not valid JSON within `limits` (the
//   patch may nest two levels deeper), the patch is malformed (see
//   ParseJsonPatchOperations), or an operation would take the document past `limits`
//   (size or depth); every intermediate document must stay within them.
// - FailedPrecondition: a well-formed operation cannot apply to this document: a path or
//   from that does not exist, an array index out of range or not an index, a member or
//   element asked of a scalar, an insert into a non-array, a move into its own child, or a
//   failed test.
Result<std::string> ApplyJsonPatch(std::string_view document, std::string_view patch_json,
                                   const JsonLimits& limits = {});

}  // namespace docdb::json
