#include <gtest/gtest.h>

#include <string>

#include "json/patch.h"

namespace docdb::json {
namespace {

std::string Patched(std::string_view document, std::string_view patch,
                    const JsonLimits& limits = {}) {
  Result<std::string> result = ApplyJsonPatch(document, patch, limits);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : std::string();
}

// Expects the patch to fail with `code` and a message containing `what`.
void ExpectFails(std::string_view document, std::string_view patch, StatusCode code,
                 std::string_view what, const JsonLimits& limits = {}) {
  Result<std::string> result = ApplyJsonPatch(document, patch, limits);
  ASSERT_FALSE(result.ok()) << "applied: " << *result;
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_NE(result.status().message().find(what), std::string::npos) << result.status().message();
}

void ExpectInvalid(std::string_view patch, std::string_view what) {
  ExpectFails(R"({"a":1})", patch, StatusCode::kInvalidArgument, what);
}

void ExpectCannotApply(std::string_view document, std::string_view patch, std::string_view what) {
  ExpectFails(document, patch, StatusCode::kFailedPrecondition, what);
}

std::string Nested(uint32_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonPatchTest, EmptyPatchReturnsTheDocumentMinified) {
  EXPECT_EQ(Patched(R"( { "b" : 1, "a" : 2 } )", "[]"), R"({"b":1,"a":2})");
}

// add

TEST(JsonPatchTest, AddCreatesAMemberAtTheEnd) {
  EXPECT_EQ(Patched(R"({"b":1})", R"([{"op":"add","path":"/a","value":2}])"), R"({"b":1,"a":2})");
}

TEST(JsonPatchTest, AddReplacesAnExistingMemberInPlace) {
  EXPECT_EQ(Patched(R"({"a":1,"b":2})", R"([{"op":"add","path":"/a","value":[3]}])"),
            R"({"a":[3],"b":2})");
}

TEST(JsonPatchTest, AddInsertsIntoAnArrayBeforeTheIndex) {
  EXPECT_EQ(Patched(R"([1,3])", R"([{"op":"add","path":"/1","value":2}])"), "[1,2,3]");
}

TEST(JsonPatchTest, AddAtDashOrLengthAppends) {
  EXPECT_EQ(Patched(R"({"x":[1]})", R"([{"op":"add","path":"/x/-","value":2},
                                       {"op":"add","path":"/x/2","value":3}])"),
            R"({"x":[1,2,3]})");
}

TEST(JsonPatchTest, AddPastTheEndOfAnArrayFails) {
  ExpectCannotApply("[1,2]", R"([{"op":"add","path":"/3","value":0}])",
                    "index 3 is out of range in the array of 2 elements at the root");
}

TEST(JsonPatchTest, AddToAMissingParentFails) {
  ExpectCannotApply(R"({"a":{}})", R"([{"op":"add","path":"/b/c","value":0}])",
                    "no member \"b\" in the object at the root");
}

TEST(JsonPatchTest, AddIntoAScalarFails) {
  ExpectCannotApply(R"({"a":"s"})", R"([{"op":"add","path":"/a/b","value":0}])",
                    "the value at \"/a\" is a string");
}

TEST(JsonPatchTest, AddAtTheRootReplacesTheDocument) {
  EXPECT_EQ(Patched(R"({"a":1})", R"([{"op":"add","path":"","value":[true]}])"), "[true]");
}

// remove and delete

TEST(JsonPatchTest, RemoveDeletesAMemberKeepingTheOthersInOrder) {
  EXPECT_EQ(Patched(R"({"c":1,"b":2,"a":3})", R"([{"op":"remove","path":"/b"}])"),
            R"({"c":1,"a":3})");
}

TEST(JsonPatchTest, RemoveDeletesAnArrayElement) {
  EXPECT_EQ(Patched("[1,2,3]", R"([{"op":"remove","path":"/0"}])"), "[2,3]");
}

TEST(JsonPatchTest, RemoveOfAMissingMemberFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"remove","path":"/b"}])",
                    "no member \"b\" in the object at the root");
}

TEST(JsonPatchTest, RemoveAtDashFails) {
  ExpectCannotApply("[1]", R"([{"op":"remove","path":"/-"}])", "\"-\" (the end) names no element");
}

TEST(JsonPatchTest, RemoveOfTheWholeDocumentIsInvalid) {
  ExpectInvalid(R"([{"op":"remove","path":""}])", "whole document cannot be removed");
  ExpectInvalid(R"([{"op":"delete","path":""}])", "whole document cannot be removed");
}

TEST(JsonPatchTest, DeleteRemovesAMemberOrElement) {
  EXPECT_EQ(Patched(R"({"a":[1,2],"b":0})",
                    R"([{"op":"delete","path":"/b"},{"op":"delete","path":"/a/1"}])"),
            R"({"a":[1]})");
}

TEST(JsonPatchTest, DeleteOfAMissingMemberFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"delete","path":"/x"}])", "no member \"x\"");
}

// replace

TEST(JsonPatchTest, ReplaceChangesAnExistingValue) {
  EXPECT_EQ(Patched(R"({"a":1,"b":[0,0]})", R"([{"op":"replace","path":"/a","value":"x"},
                                                {"op":"replace","path":"/b/1","value":null}])"),
            R"({"a":"x","b":[0,null]})");
}

TEST(JsonPatchTest, ReplaceOfAMissingMemberFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"replace","path":"/b","value":2}])", "no member \"b\"");
}

TEST(JsonPatchTest, ReplaceAtTheRootReplacesTheDocument) {
  EXPECT_EQ(Patched("[1]", R"([{"op":"replace","path":"","value":{"a":1}}])"), R"({"a":1})");
}

// move and copy

TEST(JsonPatchTest, MoveRelocatesAValue) {
  EXPECT_EQ(Patched(R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])"),
            R"({"a":{},"b":{"y":1}})");
}

TEST(JsonPatchTest, MoveWithinAnArrayAddsAfterRemoving) {
  EXPECT_EQ(Patched("[0,1,2,3]", R"([{"op":"move","from":"/1","path":"/3"}])"), "[0,2,3,1]");
}

TEST(JsonPatchTest, MoveToTheSamePlaceChangesNothing) {
  EXPECT_EQ(Patched(R"({"a":1,"b":2})", R"([{"op":"move","from":"/a","path":"/a"}])"),
            R"({"a":1,"b":2})");
}

TEST(JsonPatchTest, MoveOutToAnAncestorReplacesIt) {
  EXPECT_EQ(Patched(R"({"a":{"b":{"c":1}}})", R"([{"op":"move","from":"/a/b","path":"/a"}])"),
            R"({"a":{"c":1}})");
}

TEST(JsonPatchTest, MoveIntoItsOwnChildFails) {
  ExpectCannotApply(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
                    "cannot move a value into its own child");
}

TEST(JsonPatchTest, MoveFromAMissingPlaceFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"move","from":"/x","path":"/y"}])",
                    "from \"/x\": no member \"x\"");
}

TEST(JsonPatchTest, CopyDuplicatesAValue) {
  EXPECT_EQ(Patched(R"({"a":[1,{"b":2}]})", R"([{"op":"copy","from":"/a","path":"/c"}])"),
            R"({"a":[1,{"b":2}],"c":[1,{"b":2}]})");
}

TEST(JsonPatchTest, CopyIsIndependentOfItsSource) {
  EXPECT_EQ(Patched(R"({"a":{"n":1}})", R"([{"op":"copy","from":"/a","path":"/b"},
                                           {"op":"replace","path":"/a/n","value":2}])"),
            R"({"a":{"n":2},"b":{"n":1}})");
}

TEST(JsonPatchTest, CopyFromAMissingPlaceFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/y"}])", "from \"/x\"");
}

// test

TEST(JsonPatchTest, TestPassesForAnEqualValueAndChangesNothing) {
  EXPECT_EQ(Patched(R"({"a":[1,"x",{"b":null}]})",
                    R"([{"op":"test","path":"/a","value":[1,"x",{"b":null}]}])"),
            R"({"a":[1,"x",{"b":null}]})");
}

TEST(JsonPatchTest, TestComparesNumbersNumerically) {
  EXPECT_EQ(Patched(R"({"n":1.0})", R"([{"op":"test","path":"/n","value":1}])"), R"({"n":1.0})");
  EXPECT_EQ(Patched(R"([100])", R"([{"op":"test","path":"/0","value":1e2}])"), "[100]");
  // Beyond a double: compared exactly, by value.
  EXPECT_EQ(Patched(R"([1E400])", R"([{"op":"test","path":"/0","value":10e399}])"), "[1E400]");
  ExpectCannotApply(R"([1E400])", R"([{"op":"test","path":"/0","value":1E401}])", "test");
  ExpectCannotApply(R"([1e-400])", R"([{"op":"test","path":"/0","value":0}])", "test");
}

TEST(JsonPatchTest, TestIgnoresMemberOrder) {
  EXPECT_EQ(
      Patched(R"({"a":{"x":1,"y":2}})", R"([{"op":"test","path":"/a","value":{"y":2,"x":1}}])"),
      R"({"a":{"x":1,"y":2}})");
}

TEST(JsonPatchTest, FailedTestFailsTheWholePatch) {
  ExpectCannotApply(
      R"({"a":"10"})",
      R"([{"op":"add","path":"/b","value":1},{"op":"test","path":"/a","value":10}])",
      "patch operation 1 (test): path \"/a\": test failed: the value is \"10\", not 10");
}

TEST(JsonPatchTest, TestOfAMissingValueFails) {
  ExpectCannotApply(R"({"a":1})", R"([{"op":"test","path":"/b","value":null}])", "no member \"b\"");
}

// set

TEST(JsonPatchTest, SetCreatesMissingIntermediateObjects) {
  EXPECT_EQ(Patched(R"({"a":1})", R"([{"op":"set","path":"/x/y/z","value":true}])"),
            R"({"a":1,"x":{"y":{"z":true}}})");
}

TEST(JsonPatchTest, SetReplacesAnExistingMemberInPlace) {
  EXPECT_EQ(Patched(R"({"a":{"b":1,"c":2}})", R"([{"op":"set","path":"/a/b","value":[]}])"),
            R"({"a":{"b":[],"c":2}})");
}

TEST(JsonPatchTest, SetReplacesAnExistingArrayElement) {
  EXPECT_EQ(Patched(R"({"a":[{"b":1}]})", R"([{"op":"set","path":"/a/0/c","value":2},
                                              {"op":"set","path":"/a/0/b","value":0}])"),
            R"({"a":[{"b":0,"c":2}]})");
  EXPECT_EQ(Patched("[1,2]", R"([{"op":"set","path":"/1","value":"two"}])"), R"([1,"two"])");
}

TEST(JsonPatchTest, SetPastTheEndOfAnArrayFails) {
  ExpectCannotApply("[1]", R"([{"op":"set","path":"/1","value":2}])", "index 1 is out of range");
  ExpectCannotApply("[1]", R"([{"op":"set","path":"/-","value":2}])", "\"-\" (the end)");
}

TEST(JsonPatchTest, SetThroughAScalarFails) {
  ExpectCannotApply(R"({"a":5})", R"([{"op":"set","path":"/a/b/c","value":1}])",
                    "the value at \"/a\" is a number");
}

TEST(JsonPatchTest, SetAtTheRootReplacesTheDocument) {
  EXPECT_EQ(Patched(R"({"a":1})", R"([{"op":"set","path":"","value":"s"}])"), R"("s")");
}

// insert

TEST(JsonPatchTest, InsertAtAnIndexShiftsTheRest) {
  EXPECT_EQ(Patched(R"({"l":["a","c"]})", R"([{"op":"insert","path":"/l/1","value":"b"},
                                              {"op":"insert","path":"/l/0","value":"_"}])"),
            R"({"l":["_","a","b","c"]})");
}

TEST(JsonPatchTest, InsertAtLengthOrDashAppends) {
  EXPECT_EQ(Patched("[1]", R"([{"op":"insert","path":"/1","value":2},
                               {"op":"insert","path":"/-","value":3}])"),
            "[1,2,3]");
}

TEST(JsonPatchTest, InsertAtIndexPastEndFails) {
  ExpectCannotApply("[1]", R"([{"op":"insert","path":"/2","value":0}])",
                    "index 2 is out of range in the array of 1 elements at the root");
}

TEST(JsonPatchTest, InsertWithANonIndexFails) {
  ExpectCannotApply("[1]", R"([{"op":"insert","path":"/01","value":0}])",
                    "\"01\" is not an array index");
  ExpectCannotApply("[1]", R"([{"op":"insert","path":"/-1","value":0}])",
                    "\"-1\" is not an array index");
}

TEST(JsonPatchTest, InsertIntoAnObjectFails) {
  ExpectCannotApply(R"({"o":{}})", R"([{"op":"insert","path":"/o/0","value":0}])",
                    "insert needs an array at \"/o\", which is an object");
}

TEST(JsonPatchTest, InsertAtTheRootIsInvalid) {
  ExpectInvalid(R"([{"op":"insert","path":"","value":0}])", "insert needs an array element");
}

// The patch document itself

TEST(JsonPatchTest, PatchThatIsNotAnArrayIsInvalid) {
  ExpectInvalid(R"({"op":"add","path":"/b","value":1})", "array of operations, not an object");
}

TEST(JsonPatchTest, PatchThatIsNotJsonIsInvalid) {
  ExpectInvalid(R"([{"op":"add",}])", "patch: invalid JSON at byte 13");
}

TEST(JsonPatchTest, OperationThatIsNotAnObjectIsInvalid) {
  ExpectInvalid(R"([{"op":"test","path":"/a","value":1}, "add"])",
                "patch operation 1: an operation is an object, not a string");
}

TEST(JsonPatchTest, MissingOrUnknownOpIsInvalid) {
  ExpectInvalid(R"([{"path":"/a"}])", "patch operation 0: missing \"op\"");
  ExpectInvalid(R"([{"op":1,"path":"/a"}])", "\"op\" must be a string, not a number");
  ExpectInvalid(R"([{"op":"spam","path":"/a"}])", "unknown op \"spam\"");
  ExpectInvalid(R"([{"op":"ADD","path":"/a","value":1}])", "unknown op \"ADD\"");
}

TEST(JsonPatchTest, MissingOrMistypedPathIsInvalid) {
  ExpectInvalid(R"([{"op":"add","value":1}])", "patch operation 0 (add): missing \"path\"");
  ExpectInvalid(R"([{"op":"add","path":null,"value":1}])", "\"path\" must be a string, not null");
}

TEST(JsonPatchTest, InvalidPointerIsInvalidAndNamed) {
  ExpectInvalid(R"([{"op":"add","path":"a","value":1}])",
                "patch operation 0 (add): \"path\": invalid JSON Pointer \"a\"");
  ExpectInvalid(R"([{"op":"copy","from":"/~2","path":"/b"}])",
                "\"from\": invalid JSON Pointer \"/~2\"");
}

TEST(JsonPatchTest, MissingValueIsInvalid) {
  for (const char* op : {"add", "replace", "test", "set", "insert"}) {
    SCOPED_TRACE(op);
    ExpectInvalid(std::string(R"([{"op":")") + op + R"(","path":"/a"}])", "missing \"value\"");
  }
}

TEST(JsonPatchTest, MissingFromIsInvalid) {
  ExpectInvalid(R"([{"op":"move","path":"/b"}])", "patch operation 0 (move): missing \"from\"");
  ExpectInvalid(R"([{"op":"copy","path":"/b","from":7}])", "\"from\" must be a string");
}

TEST(JsonPatchTest, UnknownMembersOfAnOperationAreIgnored) {
  EXPECT_EQ(Patched(R"({"a":1})", R"([{"op":"add","path":"/b","value":2,"xyz":[1],"from":5}])"),
            R"({"a":1,"b":2})");
}

TEST(JsonPatchTest, DuplicateMembersInAnOperationAreInvalid) {
  ExpectInvalid(R"([{"op":"add","path":"/b","value":1,"op":"remove"}])",
                "duplicate member name \"op\"");
}

TEST(JsonPatchTest, MalformedLaterOperationRejectsThePatchBeforeAnyApplies) {
  ExpectInvalid(R"([{"op":"remove","path":"/nope"},{"op":"add"}])",
                "patch operation 1 (add): missing \"path\"");
}

// Atomicity, fidelity and limits

TEST(JsonPatchTest, FailureAfterSuccessfulOperationsReturnsOnlyTheError) {
  const std::string document = R"({"a":1})";
  Result<std::string> result = ApplyJsonPatch(document, R"([{"op":"add","path":"/b","value":2},
                                   {"op":"remove","path":"/a"},
                                   {"op":"remove","path":"/zz"}])");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("patch operation 2 (remove): path \"/zz\""),
            std::string::npos)
      << result.status().message();
  EXPECT_EQ(document, R"({"a":1})");
}

TEST(JsonPatchTest, NumbersKeepTheirDigitsThroughAPatch) {
  EXPECT_EQ(Patched(R"({"big":123456789012345678901234567890,"d":0.10000000000000000001})",
                    R"([{"op":"add","path":"/e","value":-1.0E-400000},
                        {"op":"copy","from":"/big","path":"/c"}])"),
            R"({"big":123456789012345678901234567890,"d":0.10000000000000000001,)"
            R"("e":-1.0E-400000,"c":123456789012345678901234567890})");
}

TEST(JsonPatchTest, InvalidDocumentIsInvalidArgument) {
  ExpectFails(R"({"a":1,})", "[]", StatusCode::kInvalidArgument, "document: invalid JSON");
}

TEST(JsonPatchTest, ResultOverTheSizeLimitFails) {
  JsonLimits limits;
  limits.max_bytes = 40;
  const std::string document = R"({"a":"012345678901234567890123456789"})";  // 38 bytes
  EXPECT_EQ(Patched(document, "[]", limits), document);
  ExpectFails(document, R"([{"op":"add","path":"/b","value":1}])", StatusCode::kInvalidArgument,
              "patch operation 0 (add): the document would grow to 44 bytes, over the limit of "
              "40 bytes",
              limits);
}

TEST(JsonPatchTest, RepeatedCopiesOfTheRootStopAtTheSizeLimit) {
  std::string patch = "[";
  for (int i = 0; i < 64; ++i) {
    patch += std::string(i ? "," : "") + R"({"op":"copy","from":"","path":"/)" + std::to_string(i) +
             R"("})";
  }
  patch += "]";
  JsonLimits limits;
  limits.max_depth = 1000;
  ExpectFails(R"({"x":"0123456789012345678901234567890123456789"})", patch,
              StatusCode::kInvalidArgument, "over the limit of 16777216 bytes", limits);
}

TEST(JsonPatchTest, ResultDeeperThanTheLimitFails) {
  ExpectFails(R"({"a":[]})", R"([{"op":"add","path":"/a/0","value":)" + Nested(127) + "}]",
              StatusCode::kInvalidArgument, "would nest 129 arrays and objects deep");
  ExpectFails(R"({"a":{"b":[]}})", R"([{"op":"copy","from":"","path":"/a/b/0"}])",
              StatusCode::kInvalidArgument, "over the limit of 3",
              JsonLimits{kDefaultMaxJsonBytes, 3});
}

TEST(JsonPatchTest, ValueAsDeepAsTheLimitAllowsCanBeCarried) {
  const std::string result =
      Patched(R"({"a":[]})", R"([{"op":"add","path":"/a/0","value":)" + Nested(126) + "}]");
  EXPECT_EQ(result, R"({"a":[)" + Nested(126) + "]}");
  EXPECT_EQ(Patched("1", R"([{"op":"add","path":"","value":)" + Nested(128) + "}]"), Nested(128));
}

}  // namespace
}  // namespace docdb::json
