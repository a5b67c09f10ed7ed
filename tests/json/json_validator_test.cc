#include <gtest/gtest.h>

#include <string>

#include "json/validator.h"

namespace docdb::json {
namespace {

std::string Minified(std::string_view body, const JsonLimits& limits = {}) {
  Result<std::string> result = ValidateAndMinifyJson(body, limits);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : std::string();
}

// Expects `body` to be rejected as InvalidArgument at byte `offset`, with a message that
// contains `what`.
void ExpectRejectedAt(std::string_view body, size_t offset, std::string_view what,
                      const JsonLimits& limits = {}) {
  Result<std::string> result = ValidateAndMinifyJson(body, limits);
  ASSERT_FALSE(result.ok()) << "accepted: " << *result;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  const std::string message(result.status().message());
  EXPECT_NE(message.find("at byte " + std::to_string(offset) + ":"), std::string::npos) << message;
  EXPECT_NE(message.find(what), std::string::npos) << message;
}

void ExpectRejected(std::string_view body) {
  Result<std::string> result = ValidateAndMinifyJson(body);
  ASSERT_FALSE(result.ok()) << "accepted: " << *result;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

std::string Nested(uint32_t depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string text;
  for (uint32_t i = 0; i < depth; ++i) text += open;
  text += inner;
  for (uint32_t i = 0; i < depth; ++i) text += close;
  return text;
}

TEST(JsonValidatorTest, AnyJsonValueIsAValidBody) {
  EXPECT_EQ(Minified("1"), "1");
  EXPECT_EQ(Minified("\"text\""), "\"text\"");
  EXPECT_EQ(Minified("true"), "true");
  EXPECT_EQ(Minified("false"), "false");
  EXPECT_EQ(Minified("null"), "null");
  EXPECT_EQ(Minified("[]"), "[]");
  EXPECT_EQ(Minified("{}"), "{}");
}

TEST(JsonValidatorTest, WhitespaceIsRemovedAndMemberOrderKept) {
  EXPECT_EQ(Minified(" \t\r\n{ \"z\" : 1 ,\n \"a\" : [ 1 , { } , [ ] , \"x\" ] , \"m\":null } \n"),
            R"({"z":1,"a":[1,{},[],"x"],"m":null})");
}

TEST(JsonValidatorTest, BigIntegersKeepEveryDigit) {
  EXPECT_EQ(Minified("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(Minified("[-98765432109876543210987654321, 18446744073709551616]"),
            "[-98765432109876543210987654321,18446744073709551616]");
  EXPECT_EQ(Minified("{\"id\": 9007199254740993}"), "{\"id\":9007199254740993}");
}

TEST(JsonValidatorTest, LongDecimalsAndExponentsKeepEveryDigit) {
  EXPECT_EQ(Minified("0.1000000000000000000000000000000000001"),
            "0.1000000000000000000000000000000000001");
  EXPECT_EQ(Minified("[2.50, -0.0, 1.5E+300, 1e-400, 3.0e0]"), "[2.50,-0.0,1.5E+300,1e-400,3.0e0]");
}

TEST(JsonValidatorTest, NumbersBeyondTheRangeOfADoubleKeepEveryDigit) {
  EXPECT_EQ(Minified("1E400"), "1E400");
  EXPECT_EQ(Minified("[ -1e999 , 123e-400, 1.5e+309 ]"), "[-1e999,123e-400,1.5e+309]");
  EXPECT_EQ(Minified(std::string(400, '9')), std::string(400, '9'));
  EXPECT_EQ(Minified("-" + std::string(500, '7') + ".25e1000000000000000000000"),
            "-" + std::string(500, '7') + ".25e1000000000000000000000");
  EXPECT_EQ(Minified(R"({"a" : 1e400, "s" : "1e999 stays a string", "b" : [2e500, {"c": 3}]})"),
            R"({"a":1e400,"s":"1e999 stays a string","b":[2e500,{"c":3}]})");
  // Escaped quotes do not end a string early.
  EXPECT_EQ(Minified(R"(["\"1e999\\", 1e999])"), R"(["\"1e999\\",1e999])");
}

TEST(JsonValidatorTest, ErrorsAfterAHugeNumberAreFoundWhereTheyAre) {
  ExpectRejectedAt("[1e400,]", 7, "");
  ExpectRejectedAt(R"({"a":1e400,"a":2})", 11, "duplicate member name");
  ExpectRejectedAt("[01e400]", 2, "expected ',' or ']'");
  ExpectRejectedAt("1e400 x", 6, "after the JSON value");
  ExpectRejectedAt("[1e400, 1.e400]", 10, "decimal point");
}

TEST(JsonValidatorTest, MalformedNumbersAreRejected) {
  ExpectRejectedAt("01", 1, "after the JSON value");
  ExpectRejectedAt("[01]", 2, "expected ',' or ']'");
  ExpectRejectedAt("1.", 2, "decimal point");
  ExpectRejectedAt("1e", 2, "exponent");
  for (const char* body : {"-", ".5", "+1", "NaN", "Infinity", "-Infinity", "0x10"}) {
    SCOPED_TRACE(body);
    ExpectRejected(body);
  }
}

TEST(JsonValidatorTest, StringsAreWrittenInCanonicalForm) {
  EXPECT_EQ(Minified(R"("\u00e9\/\u0041\n\u001f\"\\\b\f\r\t")"),
            "\"\xC3\xA9/A\\n\\u001f\\\"\\\\\\b\\f\\r\\t\"");
  EXPECT_EQ(Minified(R"({"\u0061":"\u0062"})"), R"({"a":"b"})");
}

TEST(JsonValidatorTest, UnescapedStringsComeOutTheSameWithOrWithoutAnEscapeElsewhere) {
  // Without a backslash anywhere, strings and names are copied as written; one escape
  // anywhere sends every string through the escaper. Both give the same canonical form.
  const std::string plain = "{\"k/\x7F\xC3\xA9\":\"v \xF0\x9F\x98\x80/\",\"n\":[\"\",\"x\"]}";
  EXPECT_EQ(Minified(plain), plain);
  EXPECT_EQ(Minified(plain.substr(0, plain.size() - 1) + R"(,"e":"\u0041"})"),
            plain.substr(0, plain.size() - 1) + R"(,"e":"A"})");
  EXPECT_EQ(Minified("{ \"a\" : \"b c\" }"), R"({"a":"b c"})");
}

TEST(JsonValidatorTest, EscapedSurrogatePairBecomesOneCharacter) {
  EXPECT_EQ(Minified(R"("\ud83d\ude00")"), "\"\xF0\x9F\x98\x80\"");
}

TEST(JsonValidatorTest, EscapedNulInsideAStringIsKept) {
  EXPECT_EQ(Minified(R"("a\u0000b")"), R"("a\u0000b")");
  EXPECT_EQ(Minified(R"({"\u0000":1})"), R"({"\u0000":1})");
}

TEST(JsonValidatorTest, LoneSurrogateEscapeIsRejected) {
  ExpectRejectedAt(R"("\udc00")", 0, "lone UTF-16 surrogate");
  ExpectRejectedAt(R"(["ok", "x\udfff"])", 7, "lone UTF-16 surrogate");
  ExpectRejectedAt(R"({"\udc00":1})", 1, "lone UTF-16 surrogate");
  ExpectRejectedAt(R"("\udc00\ud83d\ude00")", 0, "lone UTF-16 surrogate");
  ExpectRejectedAt(R"("x\ud800")", 2, "high surrogate");
  ExpectRejectedAt(R"("\ud800\u0041")", 1, "high surrogate");
}

TEST(JsonValidatorTest, EncodedSurrogateIsRejected) {
  ExpectRejectedAt("\"\xED\xA0\x80\"", 1, "invalid UTF-8");
  ExpectRejectedAt("\"\xED\xBF\xBF\"", 1, "invalid UTF-8");
}

TEST(JsonValidatorTest, OverlongEncodingsAreRejected) {
  ExpectRejectedAt("\"\xC0\xAF\"", 1, "invalid UTF-8");  // '/' in two bytes
  ExpectRejectedAt("\"\xC1\xBF\"", 1, "invalid UTF-8");
  ExpectRejectedAt("\"\xE0\x80\xAF\"", 1, "invalid UTF-8");      // '/' in three bytes
  ExpectRejectedAt("\"\xF0\x80\x80\xAF\"", 1, "invalid UTF-8");  // '/' in four bytes
}

TEST(JsonValidatorTest, CodePointAboveU10FFFFIsRejected) {
  ExpectRejectedAt("\"\xF4\x90\x80\x80\"", 1, "invalid UTF-8");
  ExpectRejectedAt("\"\xF5\x80\x80\x80\"", 1, "invalid UTF-8");
  EXPECT_EQ(Minified("\"\xF4\x8F\xBF\xBF\""), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF itself
}

TEST(JsonValidatorTest, TruncatedOrStrayUtf8IsRejected) {
  ExpectRejected("\"\xE2\x82\"");
  ExpectRejected("\"\x80\"");
  ExpectRejected("\xFF");
  ExpectRejected("[\"a\", \xC3]");
}

TEST(JsonValidatorTest, InvalidUtf8DeepInALongDocumentIsFoundWhereItIs) {
  // 0         1         2
  // 0123456789012345678901234
  // {"name":"abcdefghijk?"}   with ? = 0xFF at byte 20
  ExpectRejectedAt("{\"name\":\"abcdefghijk\xFF\"}", 20, "invalid UTF-8");
  ExpectRejectedAt("{\"name\":\"abcdefghijk\",\xFF}", 22, "found byte 0xff");
}

TEST(JsonValidatorTest, ValidMultibyteUtf8IsKept) {
  EXPECT_EQ(Minified("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""),
            "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
}

TEST(JsonValidatorTest, NulAfterTheValueIsRejected) {
  ExpectRejectedAt(std::string("{}\0", 3), 2, "NUL");
  ExpectRejectedAt(std::string("1 \0", 3), 2, "NUL");
  ExpectRejectedAt(std::string("\"a\"\0\"b\"", 7), 3, "NUL");
}

TEST(JsonValidatorTest, NulBetweenTokensIsRejectedWhereItStands) {
  // The parser reads a NUL-terminated copy: a NUL inside the text must not end it early.
  ExpectRejectedAt(std::string("[1,\0 2]", 7), 3, "");
  ExpectRejectedAt(std::string("{\"a\"\0:1}", 7), 4, "");
  ExpectRejectedAt(std::string("[1\0]", 4), 2, "");
}

TEST(JsonValidatorTest, EveryControlCharacterIsRejectedInsideAStringOrOutside) {
  // RapidJSON's SSE2 string scanner misses 0x1A-0x1F on its own: in a long string they
  // fall in the blocks it scans 16 bytes at a time.
  for (int c = 0x01; c < 0x20; ++c) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    std::string in_string = "[\"" + std::string(40, 'x') + "\"]";
    in_string[30] = static_cast<char>(c);
    ExpectRejectedAt(in_string, 30, "control character");
    std::string outside = "[1, 2]";
    outside[3] = static_cast<char>(c);
    ExpectRejectedAt(outside, 3, "");
  }
  // Found by fuzz/json_validator_fuzz.cc: a 0x1E deep in a string after escapes.
  ExpectRejectedAt(std::string("[\"\\u1615\\u001f") + std::string(50, '(') + "\x1e" +
                       std::string(30, '(') + "0\"]",
                   64, "control character");
}

TEST(JsonValidatorTest, NulOrControlCharacterInsideAStringIsRejected) {
  ExpectRejectedAt(std::string("\"a\0b\"", 5), 2, "control character");
  ExpectRejectedAt("\"a\tb\"", 2, "control character");
  ExpectRejectedAt("\"a\nb\"", 2, "control character");
}

TEST(JsonValidatorTest, TrailingGarbageIsRejected) {
  ExpectRejectedAt("{} x", 3, "'x' after the JSON value");
  ExpectRejectedAt("1 2", 2, "after the JSON value");
  ExpectRejectedAt("[]]", 2, "after the JSON value");
  ExpectRejectedAt("{}{}", 2, "after the JSON value");
}

TEST(JsonValidatorTest, WhitespaceAroundTheValueIsAllowed) {
  EXPECT_EQ(Minified(" \n[1] \r\n\t "), "[1]");
}

TEST(JsonValidatorTest, CommentsAreRejected) {
  ExpectRejectedAt("// note\n1", 0, "expected a value");
  ExpectRejectedAt("/* note */ 1", 0, "expected a value");
  ExpectRejectedAt("[1 /* note */]", 3, "expected ',' or ']'");
  ExpectRejectedAt("1 // note", 2, "after the JSON value");
}

TEST(JsonValidatorTest, TrailingCommasAreRejected) {
  ExpectRejectedAt("[1,]", 3, "expected a value");
  ExpectRejectedAt("{\"a\":1,}", 7, "member name");
}

TEST(JsonValidatorTest, OtherSyntaxErrorsNameTheByte) {
  ExpectRejectedAt("{\"a\":tru}", 8, "expected a value");
  ExpectRejectedAt("{\"a\" 1}", 5, "expected ':'");
  ExpectRejectedAt("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
  ExpectRejectedAt("{'a':1}", 1, "member name");
  ExpectRejectedAt("[\"abc", 5, "closing quote");
  ExpectRejectedAt("\"\\x\"", 1, "invalid escape");
  ExpectRejectedAt("\"\\u12G4\"", 1, "four hex digits");
  ExpectRejectedAt("[1, 2", 5, "expected ',' or ']'");
}

TEST(JsonValidatorTest, EmptyBodyIsRejected) {
  ExpectRejectedAt("", 0, "empty");
  ExpectRejectedAt(" \n ", 3, "empty");
}

TEST(JsonValidatorTest, ByteOrderMarkIsRejected) {
  ExpectRejectedAt("\xEF\xBB\xBF{}", 0, "expected a value");
}

TEST(JsonValidatorTest, DuplicateMemberNameIsRejected) {
  ExpectRejectedAt(R"({"a":1,"b":2,"a":3})", 13, "duplicate member name \"a\"");
  ExpectRejectedAt(R"({"x":{"a":1, "a":2}})", 13, "duplicate member name \"a\"");
}

TEST(JsonValidatorTest, DuplicateWrittenWithEscapesIsStillADuplicate) {
  ExpectRejectedAt(R"({"a":1,"\u0061":2})", 7, "duplicate member name \"a\"");
  ExpectRejectedAt(R"({"a\"b":1,"a\u0022b":2})", 10, "duplicate member name");
}

TEST(JsonValidatorTest, FirstRepeatInTheTextIsTheOneReported) {
  ExpectRejectedAt(R"({"b":1,"a":2,"a":3,"b":4})", 13, "duplicate member name \"a\"");
  // Small objects are checked pairwise, larger ones by sorting: both report the same.
  for (int others : {0, 12, 13, 30}) {
    std::string body = R"({"b":1,"a":2,)";
    for (int i = 0; i < others; ++i) body += "\"x" + std::to_string(i) + "\":0,";
    const size_t repeat_offset = body.size();
    body += R"("a":3,"b":4})";
    ExpectRejectedAt(body, repeat_offset, "duplicate member name \"a\"");
  }
}

TEST(JsonValidatorTest, SameNameInDifferentObjectsIsAllowed) {
  EXPECT_EQ(Minified(R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})"),
            R"({"a":{"a":1},"b":[{"a":2},{"a":3}]})");
}

TEST(JsonValidatorTest, DuplicateInALargeObjectIsFound) {
  std::string body = "{";
  for (int i = 0; i < 5000; ++i)
    body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  const size_t repeat_offset = body.size();
  body += "\"k4321\":0}";
  ExpectRejectedAt(body, repeat_offset, "duplicate member name \"k4321\"");
}

TEST(JsonValidatorTest, DepthOf128IsAcceptedAnd129Rejected) {
  const std::string arrays_128 = Nested(128, "[", "1", "]");
  EXPECT_EQ(Minified(arrays_128), arrays_128);
  ExpectRejectedAt(Nested(129, "[", "1", "]"), 128, "deeper than the limit of 128");
  const std::string objects_128 = Nested(127, "{\"a\":", "{}", "}");
  EXPECT_EQ(Minified(objects_128), objects_128);
  ExpectRejectedAt(Nested(128, "{\"a\":", "{}", "}"), 128 * 5, "deeper than the limit of 128");
}

TEST(JsonValidatorTest, ScalarsDoNotCountAsALevel) {
  JsonLimits limits;
  limits.max_depth = 0;
  EXPECT_EQ(Minified("\"flat\"", limits), "\"flat\"");
  ExpectRejectedAt("[]", 0, "deeper than the limit of 0", limits);
}

TEST(JsonValidatorTest, DepthLimitIsConfigurable) {
  JsonLimits limits;
  limits.max_depth = 2;
  EXPECT_EQ(Minified("[{\"a\":1}]", limits), "[{\"a\":1}]");
  ExpectRejectedAt("[{\"a\":[1]}]", 6, "deeper than the limit of 2", limits);
}

TEST(JsonValidatorTest, DeeplyNestedInputIsRejectedWithoutOverflowingTheStack) {
  ExpectRejectedAt(std::string(4'000'000, '['), 128, "deeper than the limit");
  ExpectRejectedAt(Nested(1'000'000, "{\"a\":", "1", "}"), 128 * 5, "deeper than the limit");
}

TEST(JsonValidatorTest, BodyOf16MiBIsAcceptedAndOneByteMoreRejected) {
  std::string body = "\"" + std::string(kDefaultMaxJsonBytes - 2, 'x') + "\"";
  ASSERT_EQ(body.size(), 16u << 20);
  EXPECT_EQ(Minified(body).size(), body.size());
  body.insert(1, "y");
  Result<std::string> result = ValidateAndMinifyJson(body);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("16777217 bytes is over the limit of 16777216 bytes"),
            std::string::npos)
      << result.status().message();
}

TEST(JsonValidatorTest, SizeLimitCountsTheTextAsGiven) {
  JsonLimits limits;
  limits.max_bytes = 8;
  EXPECT_EQ(Minified("[1, 2]  ", limits), "[1,2]");
  EXPECT_EQ(ValidateAndMinifyJson("[1, 2]   ", limits).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(JsonValidatorTest, MinifyingAgainChangesNothing) {
  const std::string once =
      Minified(R"( { "a" : [ 1.50 , "\u00e9\u001F" , { "" : null } ] , "b" : -0 } )");
  EXPECT_EQ(Minified(once), once);
}

}  // namespace
}  // namespace docdb::json
