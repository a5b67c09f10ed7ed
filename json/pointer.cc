// RFC 6901 JSON Pointers (json/pointer.h).
#include "json/pointer.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "json/string.h"

namespace docdb::json {
namespace {

Status InvalidPointer(std::string_view text, std::string_view what) {
  return Status::InvalidArgument("invalid JSON Pointer " + QuoteForMessage(text) + ": " +
                                 std::string(what));
}

// One step of resolution: the element or member that token `index` of `pointer` names in
// `current`, the value its first `index` tokens refer to. `Value` is JsonValue or const
// JsonValue, so that one walk serves both kinds of tree.
template <typename Value>
Result<Value*> StepInto(const JsonPointer& pointer, Value* current, size_t index) {
  const std::string& token = pointer.tokens()[index];
  if (current->is_object()) {
    const size_t found = current->FindMember(token);
    if (found == current->object().size()) {
      return Status::FailedPrecondition("no member " + QuoteForMessage(token) +
                                        " in the object at " + pointer.DescribePlace(index));
    }
    return &current->object()[found].value;
  }
  if (current->is_array()) {
    Result<size_t> position = pointer.ArrayPosition(*current, index, /*allow_end=*/false);
    if (!position.ok()) return std::move(position).status();
    return &current->array()[*position];
  }
  return Status::FailedPrecondition("the value at " + pointer.DescribePlace(index) + " is " +
                                    std::string(DescribeJsonKind(current->kind())) +
                                    ", which has no member or element " + QuoteForMessage(token));
}

template <typename Value>
Result<Value*> Walk(const JsonPointer& pointer, Value* root, size_t token_count) {
  assert(token_count <= pointer.tokens().size());
  Value* current = root;
  for (size_t i = 0; i < token_count; ++i) {
    Result<Value*> next = StepInto(pointer, current, i);
    if (!next.ok()) return std::move(next).status();
    current = *next;
  }
  return current;
}

}  // namespace

Result<JsonPointer> JsonPointer::Parse(std::string_view text) {
  const size_t valid = ValidUtf8PrefixBytes(text);
  if (valid != text.size()) {
    return InvalidPointer(text, "invalid UTF-8 at byte " + std::to_string(valid));
  }
  if (!text.empty() && text.front() != '/') {
    return InvalidPointer(text, "a pointer is empty (the whole document) or starts with \"/\"");
  }
  JsonPointer pointer;
  pointer.text_.assign(text);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/') {
      pointer.tokens_.emplace_back();
      continue;
    }
    std::string& token = pointer.tokens_.back();
    if (c != '~') {
      token.push_back(c);
      continue;
    }
    // "~01" is "~1" and never "/": each escape is decoded exactly once, left to right.
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (next != '0' && next != '1') {
      return InvalidPointer(text, "\"~\" at byte " + std::to_string(i) +
                                      " is not followed by 0 or 1 (write \"~\" as \"~0\")");
    }
    token.push_back(next == '0' ? '~' : '/');
    ++i;
  }
  return pointer;
}

std::string JsonPointer::EscapeToken(std::string_view token) {
  std::string escaped;
  escaped.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      escaped.append("~0");
    } else if (c == '/') {
      escaped.append("~1");
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

std::optional<size_t> JsonPointer::ArrayIndex(std::string_view token) {
  if (token.empty() || (token.size() > 1 && token.front() == '0')) return std::nullopt;
  size_t index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<size_t>(c - '0');
    if (index > (kIndexBeyondAnyArray - digit) / 10) {
      index = kIndexBeyondAnyArray;  // keep checking that the rest are digits
      continue;
    }
    index = index * 10 + digit;
  }
  return index;
}

std::string_view JsonPointer::PrefixText(size_t token_count) const {
  assert(token_count <= tokens_.size());
  // Escaped tokens hold no "/", so token i starts at the (i+1)-th "/".
  size_t end = 0;
  for (size_t seen = 0; end < text_.size(); ++end) {
    if (text_[end] == '/' && seen++ == token_count) break;
  }
  return std::string_view(text_).substr(0, end);
}

bool JsonPointer::IsProperPrefixOf(const JsonPointer& other) const {
  if (tokens_.size() >= other.tokens_.size()) return false;
  return std::equal(tokens_.begin(), tokens_.end(), other.tokens_.begin());
}

Result<JsonValue*> JsonPointer::ResolvePrefix(JsonValue* root, size_t token_count) const {
  return Walk(*this, root, token_count);
}

Result<const JsonValue*> JsonPointer::ResolvePrefix(const JsonValue& root,
                                                    size_t token_count) const {
  return Walk(*this, &root, token_count);
}

Result<size_t> JsonPointer::ArrayPosition(const JsonValue& array, size_t token_index,
                                          bool allow_end) const {
  assert(array.is_array() && token_index < tokens_.size());
  const std::string& token = tokens_[token_index];
  const size_t length = array.array().size();
  const std::string where =
      " in the array of " + std::to_string(length) + " elements at " + DescribePlace(token_index);
  if (token == kEndOfArrayToken) {
    if (allow_end) return length;
    return Status::FailedPrecondition("\"-\" (the end) names no element" + where);
  }
  const std::optional<size_t> index = ArrayIndex(token);
  if (!index) {
    return Status::FailedPrecondition(
        QuoteForMessage(token) + " is not an array index (0, or digits without a leading zero)" +
        where);
  }
  if (*index < length || (allow_end && *index == length)) return *index;
  return Status::FailedPrecondition("index " + token + " is out of range" + where);
}

std::string JsonPointer::DescribePlace(size_t token_count) const {
  if (token_count == 0) return "the root";
  return QuoteForMessage(PrefixText(token_count), 200);
}

}  // namespace docdb::json
