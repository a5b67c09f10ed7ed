// The JSON tree (json/value.h) and the sink that builds it from reader events.
#include "json/value.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "common/status_macros.h"
#include "json/number.h"
#include "json/reader.h"
#include "json/string.h"

namespace docdb::json {
namespace {

// Up to this many members, comparing objects by looking every name up in the other object
// is cheaper than sorting both.
constexpr size_t kLinearObjectCompareMembers = 8;

std::vector<const JsonMember*> SortedByName(const JsonValue::Object& object) {
  std::vector<const JsonMember*> sorted;
  sorted.reserve(object.size());
  for (const JsonMember& member : object) sorted.push_back(&member);
  std::sort(sorted.begin(), sorted.end(),
            [](const JsonMember* a, const JsonMember* b) { return a->name < b->name; });
  return sorted;
}

bool ObjectsEqual(const JsonValue& a, const JsonValue& b) {
  const JsonValue::Object& x = a.object();
  const JsonValue::Object& y = b.object();
  if (x.size() != y.size()) return false;
  if (x.size() <= kLinearObjectCompareMembers) {
    for (const JsonMember& member : x) {
      const size_t found = b.FindMember(member.name);
      if (found == y.size() || !member.value.Equals(y[found].value)) return false;
    }
    return true;
  }
  // Names are unique within an object (the reader rejects duplicates), so two objects
  // are equal when their members, in name order, pair up.
  const std::vector<const JsonMember*> sorted_x = SortedByName(x);
  const std::vector<const JsonMember*> sorted_y = SortedByName(y);
  for (size_t i = 0; i < sorted_x.size(); ++i) {
    if (sorted_x[i]->name != sorted_y[i]->name) return false;
    if (!sorted_x[i]->value.Equals(sorted_y[i]->value)) return false;
  }
  return true;
}

// Builds a JsonValue from reader events: containers under construction are kept on a stack
// with the member name they will have in their parent.
class JsonTreeBuilder final : public JsonEventSink {
 public:
  JsonValue TakeRoot() {
    assert(open_.empty());
    return std::move(root_);
  }

  void OnNull() override { Attach(JsonValue(), std::move(pending_name_)); }
  void OnBool(bool value) override { Attach(JsonValue::Bool(value), std::move(pending_name_)); }
  void OnNumber(std::string_view text) override {
    Attach(JsonValue::Number(std::string(text)), std::move(pending_name_));
  }
  void OnString(std::string_view text) override {
    Attach(JsonValue::String(std::string(text)), std::move(pending_name_));
  }
  void OnStartObject() override {
    open_.push_back({JsonValue::EmptyObject(), std::move(pending_name_)});
  }
  void OnKey(std::string_view name) override { pending_name_.assign(name); }
  void OnEndObject() override { CloseContainer(); }
  void OnStartArray() override {
    open_.push_back({JsonValue::EmptyArray(), std::move(pending_name_)});
  }
  void OnEndArray() override { CloseContainer(); }

 private:
  struct OpenContainer {
    JsonValue value;
    std::string name_in_parent;  // empty unless the parent is an object
  };

  void CloseContainer() {
    OpenContainer closed = std::move(open_.back());
    open_.pop_back();
    Attach(std::move(closed.value), std::move(closed.name_in_parent));
  }

  void Attach(JsonValue value, std::string name) {
    pending_name_.clear();  // a moved-from string is valid but unspecified
    if (open_.empty()) {
      root_ = std::move(value);
      return;
    }
    JsonValue& parent = open_.back().value;
    if (parent.is_array()) {
      parent.array().push_back(std::move(value));
    } else {
      parent.object().push_back({std::move(name), std::move(value)});
    }
  }

  std::vector<OpenContainer> open_;
  std::string pending_name_;
  JsonValue root_;
};

}  // namespace

JsonValue JsonValue::Bool(bool value) {
  JsonValue v;
  v.data_ = value;
  return v;
}

JsonValue JsonValue::Number(std::string text) {
  JsonValue v;
  v.data_ = NumberText{std::move(text)};
  return v;
}

JsonValue JsonValue::String(std::string text) {
  JsonValue v;
  v.data_ = std::move(text);
  return v;
}

JsonValue JsonValue::EmptyArray() {
  JsonValue v;
  v.data_ = Array();
  return v;
}

JsonValue JsonValue::EmptyObject() {
  JsonValue v;
  v.data_ = Object();
  return v;
}

size_t JsonValue::FindMember(std::string_view name) const {
  const Object& members = object();
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].name == name) return i;
  }
  return members.size();
}

bool JsonValue::Equals(const JsonValue& other) const {
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return bool_value() == other.bool_value();
    case Kind::kNumber:
      return JsonNumbersEqual(number_text(), other.number_text());
    case Kind::kString:
      return string_value() == other.string_value();
    case Kind::kArray:
      return std::equal(array().begin(), array().end(), other.array().begin(), other.array().end(),
                        [](const JsonValue& a, const JsonValue& b) { return a.Equals(b); });
    case Kind::kObject:
      return ObjectsEqual(*this, other);
  }
  return false;
}

uint32_t JsonValue::Depth() const {
  uint32_t deepest = 0;
  if (is_array()) {
    for (const JsonValue& element : array()) deepest = std::max(deepest, element.Depth());
  } else if (is_object()) {
    for (const JsonMember& member : object()) deepest = std::max(deepest, member.value.Depth());
  } else {
    return 0;
  }
  return deepest + 1;
}

size_t JsonValue::MinifiedBytes() const {
  switch (kind()) {
    case Kind::kNull:
      return 4;
    case Kind::kBool:
      return bool_value() ? 4 : 5;
    case Kind::kNumber:
      return number_text().size();
    case Kind::kString:
      return QuotedJsonStringBytes(string_value());
    case Kind::kArray: {
      size_t bytes = 2 + (array().empty() ? 0 : array().size() - 1);  // brackets, commas
      for (const JsonValue& element : array()) bytes += element.MinifiedBytes();
      return bytes;
    }
    case Kind::kObject: {
      size_t bytes = 2 + (object().empty() ? 0 : object().size() - 1);  // braces, commas
      for (const JsonMember& member : object()) {
        bytes += QuotedJsonStringBytes(member.name) + 1 + member.value.MinifiedBytes();
      }
      return bytes;
    }
  }
  return 0;
}

void JsonValue::AppendMinified(std::string* out) const {
  switch (kind()) {
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(bool_value() ? "true" : "false");
      return;
    case Kind::kNumber:
      out->append(number_text());
      return;
    case Kind::kString:
      AppendQuotedJsonString(string_value(), out);
      return;
    case Kind::kArray:
      out->push_back('[');
      for (size_t i = 0; i < array().size(); ++i) {
        if (i > 0) out->push_back(',');
        array()[i].AppendMinified(out);
      }
      out->push_back(']');
      return;
    case Kind::kObject:
      out->push_back('{');
      for (size_t i = 0; i < object().size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendQuotedJsonString(object()[i].name, out);
        out->push_back(':');
        object()[i].value.AppendMinified(out);
      }
      out->push_back('}');
      return;
  }
}

std::string JsonValue::ToMinifiedJson() const {
  std::string out;
  out.reserve(MinifiedBytes());
  AppendMinified(&out);
  return out;
}

std::string_view DescribeJsonKind(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::kNull:
      return "null";
    case JsonValue::Kind::kBool:
      return "a boolean";
    case JsonValue::Kind::kNumber:
      return "a number";
    case JsonValue::Kind::kString:
      return "a string";
    case JsonValue::Kind::kArray:
      return "an array";
    case JsonValue::Kind::kObject:
      return "an object";
  }
  return "an unknown kind";
}

Result<JsonValue> ParseJsonValue(std::string_view text, const JsonLimits& limits) {
  JsonTreeBuilder builder;
  DOCDB_RETURN_IF_ERROR(ReadJson(text, limits, &builder));
  return builder.TakeRoot();
}

}  // namespace docdb::json
