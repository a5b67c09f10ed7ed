// UTF-8 validation and the canonical quoting of JSON strings, shared by every part of the
// JSON layer that reads or writes text (docs/json.md, "Fidelity"). Thread-safety: pure
// functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace docdb::json {

// The length of the longest prefix of `bytes` that is well-formed UTF-8 (RFC 3629: no
// overlong forms, no encoded surrogates U+D800..U+DFFF, nothing above U+10FFFF, no
// truncated sequence); bytes.size() when all of it is.
size_t ValidUtf8PrefixBytes(std::string_view bytes);

inline bool IsValidUtf8(std::string_view bytes) {
  return ValidUtf8PrefixBytes(bytes) == bytes.size();
}

// Appends `text` (valid UTF-8) to *out as a JSON string in DocDB's canonical form: in
// quotes, with `"` and `\` escaped, the control characters that have a short escape
// written \b \f \n \r \t, the other control characters \u00XX, and every other character
// as itself. Equal strings therefore always have equal quoted forms.
void AppendQuotedJsonString(std::string_view text, std::string* out);

// The number of bytes AppendQuotedJsonString appends for `text`.
size_t QuotedJsonStringBytes(std::string_view text);

// `text` (any bytes) quoted as by AppendQuotedJsonString, for an error message: bytes that
// are not valid UTF-8 are shown as \xNN, and a text longer than `max_bytes` is cut at a
// character boundary and marked with "...", so that a message never carries a whole
// document.
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 80);

}  // namespace docdb::json
