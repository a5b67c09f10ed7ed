// Runs the public JSON Patch conformance suite (json-patch-tests; see PROVENANCE.md in
// DOCDB_CONFORMANCE_DIR/json-patch-tests) through ApplyJsonPatch. The suite's own files
// are read with RapidJSON's DOM, an independent parser, which also compares the results.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "json/patch.h"
#include "json/rapidjson.h"

namespace docdb::json {
namespace {

std::string SuitePath(std::string_view file_name) {
  return std::string(DOCDB_CONFORMANCE_DIR) + "/json-patch-tests/" + std::string(file_name);
}

std::string Written(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Runs one record of the suite: "" when DocDB does what it says, else what went wrong.
std::string RunRecord(const rapidjson::Value& record) {
  const std::string document = Written(record["doc"]);
  // The suite requires the document to be untouched however the patch ends; the copy is
  // the evidence.
  const std::string document_before = document;  // NOLINT(performance-unnecessary-copy-*)
  const Result<std::string> result = ApplyJsonPatch(document, Written(record["patch"]));
  if (document != document_before) return "the input document was modified";
  if (record.HasMember("error")) {
    if (result.ok()) return "applied, giving " + *result + ", but must fail";
    const StatusCode code = result.status().code();
    if (code != StatusCode::kInvalidArgument && code != StatusCode::kFailedPrecondition) {
      return "failed with an unexpected code: " + result.status().ToString();
    }
    return "";
  }
  if (!result.ok()) return "failed: " + result.status().ToString();
  rapidjson::Document actual;
  actual.Parse(result->data(), result->size());
  if (actual.HasParseError()) return "the result is not JSON: " + *result;
  // Value == Value compares objects without regard to member order, as the suite requires.
  // Both sides are plain Values: RapidJSON 1.1.0's comparison templates for anything else
  // can recurse forever under C++20 (STYLE.md).
  const rapidjson::Value& actual_value = actual;
  if (!(actual_value == record["expected"])) {
    return "gave " + *result + ", expected " + Written(record["expected"]);
  }
  return "";
}

// Runs every enabled record of one file of the suite, reporting each failure and the
// counts.
void RunSuiteFile(std::string_view file_name) {
  const std::string path = SuitePath(file_name);
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "JSON Patch conformance suite not found at " << path
                 << " (configure with -DDOCDB_CONFORMANCE_DIR=<dir holding json-patch-tests>)";
  }
  std::ifstream file(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  rapidjson::Document suite;
  suite.Parse(text.data(), text.size());
  ASSERT_FALSE(suite.HasParseError()) << path << " is not JSON";
  ASSERT_TRUE(suite.IsArray()) << path << " is not an array of records";

  size_t enabled = 0;
  size_t passed = 0;
  for (rapidjson::SizeType i = 0; i < suite.Size(); ++i) {
    const rapidjson::Value& record = suite[i];
    if (record.HasMember("disabled") && record["disabled"].IsTrue()) continue;
    ++enabled;
    const std::string failure = RunRecord(record);
    if (failure.empty()) {
      ++passed;
      continue;
    }
    const std::string comment =
        record.HasMember("comment") ? record["comment"].GetString() : "no comment";
    ADD_FAILURE() << file_name << " record " << i << " (" << comment << "): " << failure;
  }
  std::printf("%s: %zu enabled, %zu passed\n", std::string(file_name).c_str(), enabled, passed);
  ::testing::Test::RecordProperty("enabled", static_cast<int>(enabled));
  ::testing::Test::RecordProperty("passed", static_cast<int>(passed));
  EXPECT_GT(enabled, 0u) << path << " has no enabled records";
  EXPECT_EQ(passed, enabled);
}

TEST(JsonPatchConformanceTest, EveryEnabledRecordOfTestsJsonPasses) { RunSuiteFile("tests.json"); }

TEST(JsonPatchConformanceTest, EveryEnabledRecordOfSpecTestsJsonPasses) {
  RunSuiteFile("spec_tests.json");
}

}  // namespace
}  // namespace docdb::json
