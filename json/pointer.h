// JsonPointer: RFC 6901 JSON Pointers, how patches name a place in a document
// (docs/patch.md, "Pointers"). Thread-safety: a value type; const methods may run
// concurrently (on trees nobody modifies meanwhile).
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "json/value.h"

namespace docdb::json {

class JsonPointer {
 public:
  // The token that names the end of an array, where `add` and `insert` append.
  static constexpr std::string_view kEndOfArrayToken = "-";
  // What ArrayIndex returns for a valid index too large for size_t: past any array's end.
  static constexpr size_t kIndexBeyondAnyArray = std::numeric_limits<size_t>::max();

  JsonPointer() = default;  // "", the whole document

  // Parses `text`: "" is the whole document; otherwise "/" starts each reference token,
  // in which "~1" stands for "/" and "~0" for "~". InvalidArgument naming the pointer and
  // the byte for text that is not empty and does not start with "/", for a "~" not
  // followed by 0 or 1, and for bytes that are not valid UTF-8.
  static Result<JsonPointer> Parse(std::string_view text);

  // The token written the way a pointer writes it: "~" as "~0", "/" as "~1".
  static std::string EscapeToken(std::string_view token);

  // The index an array reference token denotes: "0", or digits without a leading zero
  // (kIndexBeyondAnyArray when they exceed size_t). nullopt for anything else: "-", "",
  // "01", "1e0", "-1", "+1".
  static std::optional<size_t> ArrayIndex(std::string_view token);

  const std::string& text() const { return text_; }
  const std::vector<std::string>& tokens() const { return tokens_; }
  bool is_root() const { return tokens_.empty(); }

  // The text of the pointer made of the first `token_count` tokens ("/a" for "/a/b" and 1).
  // Requires token_count <= tokens().size().
  std::string_view PrefixText(size_t token_count) const;

  // True when `other` points strictly inside the value this pointer points at ("/a" and
  // "/a/b", but not "/a" and "/a", nor "/a" and "/ab").
  bool IsProperPrefixOf(const JsonPointer& other) const;

  // The value that the first `token_count` tokens refer to in the document `root` (RFC
  // 6901 section 4). Requires token_count <= tokens().size(). FailedPrecondition, saying
  // which token failed and why, when a member does not exist, an array token is not an
  // index of an existing element ("-" included), or a token meets a scalar. The pointer
  // stays valid until the tree changes.
  Result<JsonValue*> ResolvePrefix(JsonValue* root, size_t token_count) const;
  Result<const JsonValue*> ResolvePrefix(const JsonValue& root, size_t token_count) const;
  Result<JsonValue*> Resolve(JsonValue* root) const { return ResolvePrefix(root, tokens_.size()); }
  Result<const JsonValue*> Resolve(const JsonValue& root) const {
    return ResolvePrefix(root, tokens_.size());
  }

  // The position that token `token_index` names in `array`, the array that the tokens
  // before it refer to: the index of an existing element, or, when `allow_end`, also the
  // array's length, written as "-" or as the length itself (where an insertion appends).
  // FailedPrecondition, naming the array's place and length, otherwise.
  Result<size_t> ArrayPosition(const JsonValue& array, size_t token_index, bool allow_end) const;

  // "the root" or the quoted pointer of the first `token_count` tokens, for messages.
  std::string DescribePlace(size_t token_count) const;

 private:
  std::string text_;
  std::vector<std::string> tokens_;
};

}  // namespace docdb::json
