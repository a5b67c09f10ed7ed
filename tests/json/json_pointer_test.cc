#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json/pointer.h"

namespace docdb::json {
namespace {

JsonPointer Pointer(std::string_view text) {
  Result<JsonPointer> pointer = JsonPointer::Parse(text);
  EXPECT_TRUE(pointer.ok()) << pointer.status().ToString();
  return pointer.ok() ? std::move(pointer).value() : JsonPointer();
}

void ExpectInvalid(std::string_view text, std::string_view what) {
  Result<JsonPointer> pointer = JsonPointer::Parse(text);
  ASSERT_FALSE(pointer.ok()) << "accepted: " << text;
  EXPECT_EQ(pointer.status().code(), StatusCode::kInvalidArgument);
  const std::string message(pointer.status().message());
  EXPECT_NE(message.find("invalid JSON Pointer"), std::string::npos) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

// The RFC 6901 section 5 example document.
JsonValue Rfc6901Document() {
  Result<JsonValue> value = ParseJsonValue(R"({
      "foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
      "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})",
                                           JsonLimits{});
  EXPECT_TRUE(value.ok());
  return std::move(value).value();
}

std::string ResolvedText(const JsonValue& root, std::string_view pointer) {
  Result<const JsonValue*> value = Pointer(pointer).Resolve(root);
  EXPECT_TRUE(value.ok()) << pointer << ": " << value.status().ToString();
  return value.ok() ? (*value)->ToMinifiedJson() : std::string();
}

Status ResolveError(const JsonValue& root, std::string_view pointer) {
  Result<const JsonValue*> value = Pointer(pointer).Resolve(root);
  EXPECT_FALSE(value.ok()) << pointer << " resolved";
  return value.ok() ? Status::OK() : value.status();
}

TEST(JsonPointerTest, EmptyPointerIsTheWholeDocument) {
  const JsonPointer pointer = Pointer("");
  EXPECT_TRUE(pointer.is_root());
  EXPECT_TRUE(pointer.tokens().empty());
}

TEST(JsonPointerTest, TokensAreSplitOnSlashesAndUnescaped) {
  EXPECT_EQ(Pointer("/a/b").tokens(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Pointer("/").tokens(), (std::vector<std::string>{""}));
  EXPECT_EQ(Pointer("/a//").tokens(), (std::vector<std::string>{"a", "", ""}));
  EXPECT_EQ(Pointer("/a~1b/m~0n").tokens(), (std::vector<std::string>{"a/b", "m~n"}));
}

TEST(JsonPointerTest, EscapesAreDecodedOnceLeftToRight) {
  EXPECT_EQ(Pointer("/~01").tokens(), (std::vector<std::string>{"~1"}));
  EXPECT_EQ(Pointer("/~10").tokens(), (std::vector<std::string>{"/0"}));
}

TEST(JsonPointerTest, PointerNotStartingWithSlashIsInvalid) {
  ExpectInvalid("foo", "starts with \"/\"");
  ExpectInvalid("#/foo", "starts with \"/\"");
}

TEST(JsonPointerTest, TildeNotFollowedByZeroOrOneIsInvalid) {
  ExpectInvalid("/a~2", "\"~\" at byte 2");
  ExpectInvalid("/a~", "\"~\" at byte 2");
  ExpectInvalid("/~/", "\"~\" at byte 1");
}

TEST(JsonPointerTest, InvalidUtf8IsInvalid) {
  ExpectInvalid("/a\xFF", "invalid UTF-8 at byte 2");
  ExpectInvalid("/\xED\xA0\x80", "invalid UTF-8 at byte 1");
}

TEST(JsonPointerTest, InvalidPointerErrorNamesThePointer) {
  Result<JsonPointer> pointer = JsonPointer::Parse("/x~9");
  ASSERT_FALSE(pointer.ok());
  EXPECT_NE(pointer.status().message().find("\"/x~9\""), std::string::npos);
}

TEST(JsonPointerTest, EscapeTokenIsTheInverseOfParsing) {
  EXPECT_EQ(JsonPointer::EscapeToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(Pointer("/" + JsonPointer::EscapeToken("~1/")).tokens(),
            (std::vector<std::string>{"~1/"}));
}

TEST(JsonPointerTest, ArrayIndicesHaveNoLeadingZeros) {
  EXPECT_EQ(JsonPointer::ArrayIndex("0"), 0u);
  EXPECT_EQ(JsonPointer::ArrayIndex("10"), 10u);
  for (const char* token : {"", "-", "00", "01", "1e0", "-1", "+1", " 1", "1 ", "0x1"}) {
    EXPECT_FALSE(JsonPointer::ArrayIndex(token).has_value()) << token;
  }
}

TEST(JsonPointerTest, HugeIndexIsPastAnyArray) {
  EXPECT_EQ(JsonPointer::ArrayIndex("99999999999999999999999999"),
            JsonPointer::kIndexBeyondAnyArray);
}

TEST(JsonPointerTest, ResolvesEveryRfc6901Example) {
  const JsonValue document = Rfc6901Document();
  EXPECT_EQ(ResolvedText(document, ""), document.ToMinifiedJson());
  EXPECT_EQ(ResolvedText(document, "/foo"), R"(["bar","baz"])");
  EXPECT_EQ(ResolvedText(document, "/foo/0"), R"("bar")");
  EXPECT_EQ(ResolvedText(document, "/"), "0");
  EXPECT_EQ(ResolvedText(document, "/a~1b"), "1");
  EXPECT_EQ(ResolvedText(document, "/c%d"), "2");
  EXPECT_EQ(ResolvedText(document, "/e^f"), "3");
  EXPECT_EQ(ResolvedText(document, "/g|h"), "4");
  EXPECT_EQ(ResolvedText(document, "/i\\j"), "5");
  EXPECT_EQ(ResolvedText(document, "/k\"l"), "6");
  EXPECT_EQ(ResolvedText(document, "/ "), "7");
  EXPECT_EQ(ResolvedText(document, "/m~0n"), "8");
}

TEST(JsonPointerTest, MissingMemberFailsNamingItsPlace) {
  const JsonValue document = Rfc6901Document();
  const Status status = ResolveError(document, "/foo/0/x");
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("the value at \"/foo/0\" is a string"), std::string::npos)
      << status.message();
  const Status missing = ResolveError(document, "/nope/x");
  EXPECT_NE(missing.message().find("no member \"nope\" in the object at the root"),
            std::string::npos)
      << missing.message();
}

TEST(JsonPointerTest, ArrayTokenMustBeAnExistingIndex) {
  const JsonValue document = Rfc6901Document();
  EXPECT_NE(ResolveError(document, "/foo/2")
                .message()
                .find("index 2 is out of range in the "
                      "array of 2 elements at \"/foo\""),
            std::string::npos);
  EXPECT_NE(ResolveError(document, "/foo/01").message().find("\"01\" is not an array index"),
            std::string::npos);
  EXPECT_NE(ResolveError(document, "/foo/-").message().find("\"-\" (the end) names no element"),
            std::string::npos);
  EXPECT_EQ(ResolveError(document, "/foo/1e0").code(), StatusCode::kFailedPrecondition);
}

TEST(JsonPointerTest, DigitsAreMemberNamesInObjects) {
  Result<JsonValue> document = ParseJsonValue(R"({"0":"zero","01":"one","-":"dash"})", {});
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(ResolvedText(*document, "/0"), R"("zero")");
  EXPECT_EQ(ResolvedText(*document, "/01"), R"("one")");
  EXPECT_EQ(ResolvedText(*document, "/-"), R"("dash")");
}

TEST(JsonPointerTest, ProperPrefixMeansStrictlyInside) {
  EXPECT_TRUE(Pointer("/a").IsProperPrefixOf(Pointer("/a/b")));
  EXPECT_TRUE(Pointer("").IsProperPrefixOf(Pointer("/a")));
  EXPECT_FALSE(Pointer("/a").IsProperPrefixOf(Pointer("/a")));
  EXPECT_FALSE(Pointer("/a").IsProperPrefixOf(Pointer("/ab")));
  EXPECT_FALSE(Pointer("/a/b").IsProperPrefixOf(Pointer("/a")));
}

TEST(JsonPointerTest, PrefixTextKeepsTheEscapes) {
  const JsonPointer pointer = Pointer("/a~1b/c/~0");
  EXPECT_EQ(pointer.PrefixText(0), "");
  EXPECT_EQ(pointer.PrefixText(1), "/a~1b");
  EXPECT_EQ(pointer.PrefixText(2), "/a~1b/c");
  EXPECT_EQ(pointer.PrefixText(3), "/a~1b/c/~0");
}

}  // namespace
}  // namespace docdb::json
