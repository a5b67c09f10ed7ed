// ValidateAndMinifyJson: the check every document body passes before anything is written,
// and the minified form in which it is stored (docs/json.md). Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "docdb/status.h"
#include "json/limits.h"

namespace docdb::json {

// Checks that `body` is one valid JSON value (RFC 8259; any value, not only an object)
// within `limits`, and returns it minified: whitespace between tokens removed, member
// order kept, every number exactly as written (never through `double`), strings in the
// canonical form of AppendQuotedJsonString. The result is never longer than `body`, and
// minifying it again returns it unchanged.
// Errors: InvalidArgument, "invalid JSON at byte N: <what>" (syntax, invalid UTF-8 or
// lone surrogate, duplicate member name, nesting deeper than limits.max_depth, bytes after
// the value, NUL included) or "JSON text of N bytes is over the limit of M bytes".
// Streams the text once and builds no tree: memory is the output plus the member names of
// the objects open at any point.
Result<std::string> ValidateAndMinifyJson(std::string_view body, const JsonLimits& limits = {});

}  // namespace docdb::json
