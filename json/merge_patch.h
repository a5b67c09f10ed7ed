// ApplyJsonMergePatch: JSON Merge Patch (RFC 7386), the whole-object alternative to JSON
// Patch (docs/patch.md, "Merge patch"). Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "docdb/status.h"
#include "json/limits.h"

namespace docdb::json {

// Merges `merge_patch_json` into the JSON value `document` as RFC 7386 defines: a patch
// that is an object changes the document member by member (null removes a member, an
// object merges recursively, any other value replaces), turning a non-object document
// into an object first; any other patch replaces the whole document. Returns the result
// minified as ValidateAndMinifyJson would: members kept in place keep their order, new
// ones follow in the patch's order. `document` is never modified.
// Errors: InvalidArgument when `document` or `merge_patch_json` is not valid JSON within
// `limits` (message prefixed "document: " or "merge patch: "), or when the result would
// be over limits.max_bytes. Every valid merge patch applies to every document, so there is
// no FailedPrecondition.
Result<std::string> ApplyJsonMergePatch(std::string_view document,
                                        std::string_view merge_patch_json,
                                        const JsonLimits& limits = {});

}  // namespace docdb::json
