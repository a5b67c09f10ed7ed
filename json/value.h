// JsonValue: the in-memory JSON tree the patch operations work on (docs/patch.md), built
// by the strict reader. Numbers keep their text as written and objects their member order,
// so that a tree written out again is the document it was read from, minified.
// Thread-safety: a value type; const methods may run concurrently.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "docdb/status.h"
#include "json/limits.h"

namespace docdb::json {

struct JsonMember;

// Every method that walks a tree (copy, compare, size, write, destroy) recurses once per
// nesting level. Trees come from ParseJsonValue or from patch operations that check
// JsonLimits::max_depth, which keeps that recursion shallow.
class JsonValue {
 public:
  // The order matches the alternatives of data_.
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Object = std::vector<JsonMember>;

  JsonValue() = default;  // null
  static JsonValue Bool(bool value);
  // Requires `text` to be a number in RFC 8259 grammar; it is kept as given.
  static JsonValue Number(std::string text);
  // Requires `text` to be valid UTF-8.
  static JsonValue String(std::string text);
  static JsonValue EmptyArray();
  static JsonValue EmptyObject();

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  // Each accessor requires the matching kind().
  bool bool_value() const { return As<bool>(); }
  const std::string& number_text() const { return As<NumberText>().text; }
  const std::string& string_value() const { return As<std::string>(); }
  Array& array() { return As<Array>(); }
  const Array& array() const { return As<Array>(); }
  Object& object() { return As<Object>(); }
  const Object& object() const { return As<Object>(); }

  // The index in object() of the member called `name`, or object().size() when there is
  // none. Requires is_object(). Linear in the number of members.
  size_t FindMember(std::string_view name) const;

  // Equality as JSON Patch's `test` defines it (RFC 6902 section 4.6): same kind; numbers
  // numerically equal (JsonNumbersEqual); strings byte for byte; arrays element by element;
  // objects with the same names mapped to equal values, in any order.
  bool Equals(const JsonValue& other) const;

  // The nesting depth as JsonLimits counts it: 0 for a scalar, 1 + the deepest element or
  // member for an array or object.
  uint32_t Depth() const;

  // The size of AppendMinified's output, computed without writing it.
  size_t MinifiedBytes() const;

  // Appends the value as minified JSON: no whitespace, member order kept, numbers as
  // written, strings in the canonical form of AppendQuotedJsonString.
  void AppendMinified(std::string* out) const;
  std::string ToMinifiedJson() const;

 private:
  struct NumberText {
    std::string text;
  };

  // The alternative of kind T; asserted rather than thrown, as DocDB throws no exceptions.
  template <typename T>
  T& As() {
    T* value = std::get_if<T>(&data_);
    assert(value != nullptr && "JsonValue accessed as the wrong kind");
    return *value;
  }
  template <typename T>
  const T& As() const {
    const T* value = std::get_if<T>(&data_);
    assert(value != nullptr && "JsonValue accessed as the wrong kind");
    return *value;
  }

  std::variant<std::monostate, bool, NumberText, std::string, Array, Object> data_;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

// The kind for a message, with its article: "null", "a boolean", "a number", "a string",
// "an array", "an object".
std::string_view DescribeJsonKind(JsonValue::Kind kind);

// Parses `text` into a tree under ReadJson's rules (json/reader.h): the same
// InvalidArgument errors, with the same messages.
Result<JsonValue> ParseJsonValue(std::string_view text, const JsonLimits& limits);

}  // namespace docdb::json
