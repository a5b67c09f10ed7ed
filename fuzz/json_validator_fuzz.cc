// libFuzzer target for the JSON validator (json/validator.h) and the tree reader
// under the patch code (json/value.h). The input is a body. What the validator
// accepts, RapidJSON's own strict parser must accept too (but for numbers beyond a double),
// and must read as the same value as the minified output; minifying again changes nothing; both
// readers agree; and a tighter depth limit only ever rejects more.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "docdb/status.h"
#include "fuzz/fuzz_check.h"
#include "json/rapidjson.h"
#include "json/validator.h"
#include "json/value.h"

namespace docdb::json {
namespace {

constexpr unsigned kReferenceParseFlags = rapidjson::kParseValidateEncodingFlag;

// RapidJSON's recursive parser is only run on what DocDB accepted, so the depth limit
// bounds its recursion.
void CheckAgainstRapidJson(std::string_view body, const std::string& minified) {
  rapidjson::Document reference;
  reference.Parse<kReferenceParseFlags>(body.data(), body.size());
  // RapidJSON cannot hold a number beyond a double, which DocDB keeps as text
  // (docs/json.md): such a body is checked against DocDB's own readers only.
  if (reference.GetParseError() == rapidjson::kParseErrorNumberTooBig) return;
  DOCDB_FUZZ_CHECK(!reference.HasParseError());
  rapidjson::Document reread;
  reread.Parse<kReferenceParseFlags>(minified.data(), minified.size());
  DOCDB_FUZZ_CHECK(!reread.HasParseError());
  // Plain Values on both sides: RapidJSON 1.1.0's other comparisons can recurse forever
  // under C++20 (STYLE.md).
  const rapidjson::Value& original = reference;
  const rapidjson::Value& minified_value = reread;
  DOCDB_FUZZ_CHECK(original == minified_value);
}

void CheckAccepted(std::string_view body, const std::string& minified) {
  DOCDB_FUZZ_CHECK(minified.size() <= body.size());
  const Result<std::string> again = ValidateAndMinifyJson(minified);
  DOCDB_FUZZ_CHECK(again.ok());
  DOCDB_FUZZ_CHECK(*again == minified);
  CheckAgainstRapidJson(body, minified);
}

void CheckRejected(const Status& status) {
  DOCDB_FUZZ_CHECK(status.code() == StatusCode::kInvalidArgument);
  const std::string_view message = status.message();
  DOCDB_FUZZ_CHECK(message.find("at byte ") != std::string_view::npos ||
                   message.find("over the limit") != std::string_view::npos);
}

void CheckBody(std::string_view body) {
  const Result<std::string> minified = ValidateAndMinifyJson(body);
  const Result<JsonValue> tree = ParseJsonValue(body, JsonLimits{});
  DOCDB_FUZZ_CHECK(minified.ok() == tree.ok());
  if (!minified.ok()) {
    CheckRejected(minified.status());
    DOCDB_FUZZ_CHECK(minified.status() == tree.status());
    return;
  }
  CheckAccepted(body, *minified);
  DOCDB_FUZZ_CHECK(tree->ToMinifiedJson() == *minified);
  DOCDB_FUZZ_CHECK(tree->MinifiedBytes() == minified->size());
  DOCDB_FUZZ_CHECK(tree->Depth() <= kDefaultMaxJsonDepth);

  JsonLimits shallow;
  shallow.max_depth = 3;
  const Result<std::string> shallow_minified = ValidateAndMinifyJson(body, shallow);
  DOCDB_FUZZ_CHECK(shallow_minified.ok() == (tree->Depth() <= shallow.max_depth));
  if (shallow_minified.ok()) DOCDB_FUZZ_CHECK(*shallow_minified == *minified);
}

}  // namespace
}  // namespace docdb::json

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docdb::json::CheckBody(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
