// libFuzzer target for the JSON Pointer parser and resolver (json/pointer.h). The
// input is a pointer's text. A pointer parses exactly when RFC 6901 and DocDB's UTF-8 rule
// say it should, its tokens escape back to its text, and resolving it (or any prefix of
// it) in a fixed document either finds a value or fails with FailedPrecondition.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "docdb/status.h"
#include "fuzz/fuzz_check.h"
#include "json/pointer.h"
#include "json/string.h"
#include "json/value.h"

namespace docdb::json {
namespace {

// RFC 6901's example document, with arrays to index and names that need escapes.
constexpr std::string_view kDocument = R"({
    "foo": ["bar", "baz", {"": [0, [1, {"~/": null}]]}], "": 0, "a/b": 1, "c%d": 2,
    "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8, "0": {"1": [true]},
    "\u00e9": "\u0000"})";

// The rule Parse must follow, written independently of it.
bool ShouldParse(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  if (!text.empty() && text.front() != '/') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '~') continue;
    if (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1')) return false;
    ++i;
  }
  return true;
}

void CheckResolution(const JsonPointer& pointer, const JsonValue& document) {
  for (size_t count = 0; count <= pointer.tokens().size(); ++count) {
    const Result<const JsonValue*> value = pointer.ResolvePrefix(document, count);
    if (!value.ok()) {
      DOCDB_FUZZ_CHECK(value.status().code() == StatusCode::kFailedPrecondition);
      // A prefix that fails makes every longer one fail as well.
      DOCDB_FUZZ_CHECK(!pointer.ResolvePrefix(document, pointer.tokens().size()).ok());
      return;
    }
    // The prefix's own text is a pointer to the same value.
    const Result<JsonPointer> prefix = JsonPointer::Parse(pointer.PrefixText(count));
    DOCDB_FUZZ_CHECK(prefix.ok());
    DOCDB_FUZZ_CHECK(prefix->tokens().size() == count);
    const Result<const JsonValue*> same = prefix->Resolve(document);
    DOCDB_FUZZ_CHECK(same.ok() && *same == *value);
  }
}

void CheckPointer(std::string_view text, const JsonValue& document) {
  const Result<JsonPointer> pointer = JsonPointer::Parse(text);
  DOCDB_FUZZ_CHECK(pointer.ok() == ShouldParse(text));
  if (!pointer.ok()) {
    DOCDB_FUZZ_CHECK(pointer.status().code() == StatusCode::kInvalidArgument);
    DOCDB_FUZZ_CHECK(pointer.status().message().find("invalid JSON Pointer") == 0);
    DOCDB_FUZZ_CHECK(IsValidUtf8(pointer.status().message()));
    return;
  }
  DOCDB_FUZZ_CHECK(pointer->text() == text);
  DOCDB_FUZZ_CHECK(pointer->is_root() == text.empty());
  std::string rebuilt;
  for (const std::string& token : pointer->tokens()) {
    DOCDB_FUZZ_CHECK(IsValidUtf8(token));
    rebuilt += "/" + JsonPointer::EscapeToken(token);
    const std::optional<size_t> index = JsonPointer::ArrayIndex(token);
    if (index && *index != JsonPointer::kIndexBeyondAnyArray) {
      DOCDB_FUZZ_CHECK(std::to_string(*index) == token);
    }
  }
  DOCDB_FUZZ_CHECK(rebuilt == text);
  CheckResolution(*pointer, document);
}

}  // namespace
}  // namespace docdb::json

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const docdb::json::JsonValue document = [] {
    docdb::Result<docdb::json::JsonValue> parsed =
        docdb::json::ParseJsonValue(docdb::json::kDocument, {});
    DOCDB_FUZZ_CHECK(parsed.ok());
    return std::move(parsed).value();
  }();
  docdb::json::CheckPointer(std::string_view(reinterpret_cast<const char*>(data), size), document);
  return 0;
}
