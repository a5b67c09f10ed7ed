#include <gtest/gtest.h>

#include <string>

#include "json/merge_patch.h"

namespace docdb::json {
namespace {

std::string Merged(std::string_view document, std::string_view patch,
                   const JsonLimits& limits = {}) {
  Result<std::string> result = ApplyJsonMergePatch(document, patch, limits);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : std::string();
}

TEST(JsonMergePatchTest, EveryRfc7386ExampleGivesItsResult) {
  struct Example {
    const char* document;
    const char* patch;
    const char* result;
  };
  const Example examples[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Example& example : examples) {
    SCOPED_TRACE(std::string(example.document) + " + " + example.patch);
    EXPECT_EQ(Merged(example.document, example.patch), example.result);
  }
}

TEST(JsonMergePatchTest, KeptMembersKeepTheirPlaceAndNewOnesFollowInPatchOrder) {
  EXPECT_EQ(Merged(R"({"c":1,"b":2,"a":3})", R"({"z":0,"b":null,"c":9,"y":0})"),
            R"({"c":9,"a":3,"z":0,"y":0})");
}

TEST(JsonMergePatchTest, LargeObjectsMergeLikeSmallOnes) {
  std::string document = "{";
  std::string patch = "{";
  std::string expected = "{";
  for (int i = 0; i < 200; ++i) {
    const std::string name = "\"k" + std::to_string(i) + "\"";
    document += (i ? "," : "") + name + ":" + std::to_string(i);
    patch += (i ? "," : "") + name + ":" + (i % 2 ? "null" : "\"x\"");
    if (i % 2 == 0) expected += (i ? "," : "") + name + ":\"x\"";
  }
  document += "}";
  patch += ",\"new\":{\"n\":null,\"m\":1}}";
  expected += ",\"new\":{\"m\":1}}";
  EXPECT_EQ(Merged(document, patch), expected);
}

TEST(JsonMergePatchTest, ManyNewMembersAreAppendedInPatchOrder) {
  std::string patch = "{";
  std::string expected = "{";
  for (int i = 0; i < 1000; ++i) {
    const std::string member = "\"n" + std::to_string(999 - i) + "\":" + std::to_string(i);
    patch += (i ? "," : "") + member;
    expected += (i ? "," : "") + member;
  }
  patch += R"(,"keep":null,"gone":null})";
  expected += "}";
  EXPECT_EQ(Merged(R"({"keep":0})", patch), expected);
}

TEST(JsonMergePatchTest, NumbersKeepTheirDigits) {
  EXPECT_EQ(Merged(R"({"a":1.10,"b":2})", R"({"b":123456789012345678901234567890.000})"),
            R"({"a":1.10,"b":123456789012345678901234567890.000})");
}

TEST(JsonMergePatchTest, InvalidJsonIsInvalidArgumentNamingWhich) {
  Result<std::string> bad_patch = ApplyJsonMergePatch("{}", R"({"a":1,"a":2})");
  ASSERT_FALSE(bad_patch.ok());
  EXPECT_EQ(bad_patch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_patch.status().message().find("merge patch: invalid JSON at byte 7"),
            std::string::npos)
      << bad_patch.status().message();
  Result<std::string> bad_document = ApplyJsonMergePatch("{", "{}");
  ASSERT_FALSE(bad_document.ok());
  EXPECT_NE(bad_document.status().message().find("document: invalid JSON"), std::string::npos);
}

TEST(JsonMergePatchTest, ResultOverTheSizeLimitFails) {
  JsonLimits limits;
  limits.max_bytes = 16;
  EXPECT_EQ(Merged(R"({"a":"0123456"})", R"({"a":null})", limits), "{}");
  Result<std::string> result = ApplyJsonMergePatch(R"({"a":"0123456"})", R"({"b":"01"})", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("24 bytes, over the limit of 16 bytes"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace docdb::json
