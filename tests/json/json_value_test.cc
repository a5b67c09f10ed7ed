#include <gtest/gtest.h>

#include <string>

#include "json/value.h"

namespace docdb::json {
namespace {

JsonValue Parse(std::string_view text) {
  Result<JsonValue> value = ParseJsonValue(text, JsonLimits{});
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? std::move(value).value() : JsonValue();
}

bool Equal(std::string_view a, std::string_view b) { return Parse(a).Equals(Parse(b)); }

TEST(JsonValueTest, ParsedTreeWritesBackTheMinifiedText) {
  const JsonValue value = Parse(R"( {"z": [1, 2.50, -3e+7], "a": {"": null, "t": true},
                                     "s": "\u00e9\n", "big": 123456789012345678901234567890} )");
  const std::string expected =
      "{\"z\":[1,2.50,-3e+7],\"a\":{\"\":null,\"t\":true},\"s\":\"\xC3\xA9\\n\","
      "\"big\":123456789012345678901234567890}";
  EXPECT_EQ(value.ToMinifiedJson(), expected);
  EXPECT_EQ(value.MinifiedBytes(), expected.size());
}

TEST(JsonValueTest, ParseErrorsAreTheReadersErrors) {
  Result<JsonValue> value = ParseJsonValue(R"({"a":1,"a":2})", JsonLimits{});
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(value.status().message().find("duplicate member name \"a\""), std::string::npos);
}

TEST(JsonValueTest, DepthCountsNestedContainers) {
  EXPECT_EQ(Parse("1").Depth(), 0u);
  EXPECT_EQ(Parse("[]").Depth(), 1u);
  EXPECT_EQ(Parse("{}").Depth(), 1u);
  EXPECT_EQ(Parse("[1, [2, {\"a\": []}], 3]").Depth(), 4u);
}

TEST(JsonValueTest, MinifiedBytesMatchesTheOutputForEscapes) {
  const JsonValue value = Parse(R"({"\u0001\"":["\\\t", "\u00ff", false, null, {}, []]})");
  EXPECT_EQ(value.MinifiedBytes(), value.ToMinifiedJson().size());
}

TEST(JsonValueTest, NumbersAreEqualWhenNumericallyEqual) {
  EXPECT_TRUE(Equal("1", "1.0"));
  EXPECT_TRUE(Equal("[100]", "[1e2]"));
  EXPECT_FALSE(Equal("1", "\"1\""));
  EXPECT_FALSE(Equal("12345678901234567890123", "12345678901234567890124"));
}

TEST(JsonValueTest, ObjectsAreEqualInAnyMemberOrder) {
  EXPECT_TRUE(Equal(R"({"a":1,"b":[1,{"c":2,"d":3}]})", R"({"b":[1,{"d":3,"c":2}],"a":1})"));
  EXPECT_FALSE(Equal(R"({"a":1})", R"({"a":1,"b":2})"));
  EXPECT_FALSE(Equal(R"({"a":1,"b":2})", R"({"a":1,"c":2})"));
  EXPECT_FALSE(Equal(R"({"a":1})", R"({"a":2})"));
}

TEST(JsonValueTest, LargeObjectsAreEqualInAnyMemberOrder) {
  std::string forward = "{";
  std::string backward = "{";
  for (int i = 0; i < 100; ++i) {
    forward += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
    backward += (i ? "," : "") + std::string("\"k") + std::to_string(99 - i) +
                "\":" + std::to_string(99 - i);
  }
  forward += "}";
  backward += "}";
  EXPECT_TRUE(Equal(forward, backward));
  std::string changed = backward;
  changed.replace(changed.find("\"k50\":50"), 8, "\"k50\":51");
  EXPECT_FALSE(Equal(forward, changed));
}

TEST(JsonValueTest, ArraysAreEqualOnlyInTheSameOrder) {
  EXPECT_TRUE(Equal("[1,2,3]", "[1,2,3]"));
  EXPECT_FALSE(Equal("[1,2,3]", "[3,2,1]"));
  EXPECT_FALSE(Equal("[1,2]", "[1,2,3]"));
}

TEST(JsonValueTest, ScalarsOfDifferentKindsAreNotEqual) {
  EXPECT_TRUE(Equal("null", "null"));
  EXPECT_TRUE(Equal("true", "true"));
  EXPECT_FALSE(Equal("true", "false"));
  EXPECT_FALSE(Equal("null", "false"));
  EXPECT_FALSE(Equal("0", "false"));
  EXPECT_FALSE(Equal("\"\"", "null"));
  EXPECT_FALSE(Equal("[]", "{}"));
  EXPECT_TRUE(Equal(R"("a\u0000")", R"("a\u0000")"));
  EXPECT_FALSE(Equal(R"("a\u0000")", R"("a")"));
}

TEST(JsonValueTest, FindMemberReturnsSizeWhenAbsent) {
  const JsonValue value = Parse(R"({"a":1,"b":2})");
  EXPECT_EQ(value.FindMember("b"), 1u);
  EXPECT_EQ(value.FindMember("c"), 2u);
}

}  // namespace
}  // namespace docdb::json
