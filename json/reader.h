// The strict JSON reader under the whole JSON layer (docs/json.md, "Validation"):
// RapidJSON's SAX parser plus the rules RapidJSON leaves to its caller (depth, duplicate
// member names, lone surrogate escapes, trailing bytes, size), delivering the events of
// one JSON value to a JsonEventSink. Thread-safety: ReadJson is reentrant; a sink serves
// one call at a time.
#pragma once

#include <string_view>

#include "docdb/status.h"
#include "json/limits.h"

namespace docdb::json {

// Receives the events of a JSON value in document order. Every view is valid only during
// the call.
class JsonEventSink {
 public:
  virtual ~JsonEventSink() = default;

  virtual void OnNull() = 0;
  virtual void OnBool(bool value) = 0;
  // `text` is the number exactly as written (RFC 8259 grammar), never converted.
  virtual void OnNumber(std::string_view text) = 0;
  // `text` is the string with its escapes decoded: valid UTF-8, possibly holding NULs.
  virtual void OnString(std::string_view text) = 0;
  virtual void OnStartObject() = 0;
  // The name of the member whose value comes next (decoded, as for OnString).
  virtual void OnKey(std::string_view name) = 0;
  virtual void OnEndObject() = 0;
  virtual void OnStartArray() = 0;
  virtual void OnEndArray() = 0;
};

// Reads `text` as exactly one JSON value (RFC 8259) and sends its events to `sink`.
// Requires sink != nullptr. Returns OK when the whole text is one valid value, optionally
// surrounded by whitespace, within `limits`. Otherwise InvalidArgument with a message that
// says what is wrong and where: "invalid JSON at byte N: <what>", or, for a text over the
// size limit, "JSON text of N bytes is over the limit of M bytes". Rejects invalid UTF-8
// (also lone surrogates, whether encoded or escaped), comments, trailing commas, duplicate
// member names, nesting deeper than limits.max_depth and any byte after the value (NUL
// included). After an error the sink has seen a prefix of the events and its output must
// be discarded. Never recurses, so no input can exhaust the stack.
Status ReadJson(std::string_view text, const JsonLimits& limits, JsonEventSink* sink);

}  // namespace docdb::json
