// Property tests: random patches on random documents, from fixed seeds. Each iteration
// draws from its own seed, printed on failure; DOCDB_JSON_PROPERTY_SEED=<seed> reruns just
// that one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "json/merge_patch.h"
#include "json/patch.h"
#include "json/patch_operation.h"
#include "json/pointer.h"
#include "json/validator.h"
#include "json/value.h"

namespace docdb::json {
namespace {

constexpr uint64_t kFirstSeed = 0x5EED'0000'D0C'DB00;
constexpr int kIterations = 3000;

// Names chosen to exercise pointer escapes, digits that look like indices, and UTF-8.
const char* const kNames[] = {"a", "b", "c", "", "0", "01", "-", "a/b", "m~n", "\\u00e9", " "};
const char* const kNumbers[] = {"0",
                                "-0",
                                "1",
                                "1.0",
                                "10e-1",
                                "-2.5E+3",
                                "1e2",
                                "100",
                                "123456789012345678901234567890",
                                "0.100000000000000000000000001"};
const char* const kStrings[] = {R"("")", R"("x")", R"("\u0000")", R"("\n\"")", R"("\u00e9")"};

// Random JSON texts, pointers and patch operations.
class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : rng_(seed) {}

  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool OneIn(int n) { return Below(n) == 0; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(static_cast<int>(N))];
  }

  std::string Value(int depth) {
    const int kind = depth <= 0 ? Below(4) : Below(7);
    switch (kind) {
      case 0:
        return Pick(kNumbers);
      case 1:
        return Pick(kStrings);
      case 2:
        return OneIn(2) ? "null" : OneIn(2) ? "true" : "false";
      case 3:
        return Pick(kNumbers);
      case 4:
        return Array(depth);
      default:
        return Object(depth);
    }
  }

  std::string Array(int depth) {
    std::string text = "[";
    const int count = Below(5);
    for (int i = 0; i < count; ++i) text += (i ? "," : "") + Value(depth - 1);
    return text + "]";
  }

  // Members get distinct names: duplicates would make the document invalid.
  std::string Object(int depth) {
    std::vector<const char*> names(std::begin(kNames), std::end(kNames));
    std::shuffle(names.begin(), names.end(), rng_);
    std::string text = "{";
    const int count = Below(5);
    for (int i = 0; i < count; ++i) {
      text += std::string(i ? "," : "") + "\"" + names[i] + "\":" + Value(depth - 1);
    }
    return text + "}";
  }

  // A pointer that mostly names something in the document, sometimes something next to
  // it, sometimes nothing at all.
  std::string Pointer(const std::vector<std::string>& existing) {
    std::string pointer = existing[Below(static_cast<int>(existing.size()))];
    if (OneIn(3)) {
      static const char* const kTokens[] = {"-", "0", "1", "2", "01", "9", "a", "b", "z", "m~0n"};
      pointer += std::string("/") + Pick(kTokens);
    }
    return pointer;
  }

  std::string Operation(const std::vector<std::string>& existing) {
    static const char* const kOps[] = {"add",  "remove", "replace", "move",  "copy",
                                       "test", "set",    "delete",  "insert"};
    const std::string op = OneIn(40) ? "frobnicate" : Pick(kOps);
    std::string text = R"({"op":")" + op + R"(","path":")" + Quoted(Pointer(existing)) + "\"";
    if (op == "move" || op == "copy") {
      if (!OneIn(30)) text += R"(,"from":")" + Quoted(Pointer(existing)) + "\"";
    } else if (op != "remove" && op != "delete" && !OneIn(30)) {
      text += R"(,"value":)" + Value(2);
    }
    return text + "}";
  }

 private:
  // Pointer texts go into JSON strings: their backslashes need escaping.
  static std::string Quoted(const std::string& pointer) {
    std::string out;
    for (const char c : pointer) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out;
  }

  std::mt19937_64 rng_;
};

// The pointers of every value in the tree, the root's ("") included.
void CollectPointers(const JsonValue& value, const std::string& prefix,
                     std::vector<std::string>* out) {
  out->push_back(prefix);
  if (value.is_array()) {
    for (size_t i = 0; i < value.array().size(); ++i) {
      CollectPointers(value.array()[i], prefix + "/" + std::to_string(i), out);
    }
  } else if (value.is_object()) {
    for (const JsonMember& member : value.object()) {
      CollectPointers(member.value, prefix + "/" + JsonPointer::EscapeToken(member.name), out);
    }
  }
}

// The message without its "patch operation N (op): " prefix.
std::string_view WithoutOperationPrefix(std::string_view message) {
  const size_t colon = message.find("): ");
  return colon == std::string_view::npos ? message : message.substr(colon + 3);
}

std::vector<uint64_t> Seeds() {
  if (const char* seed = std::getenv("DOCDB_JSON_PROPERTY_SEED")) {
    return {std::strtoull(seed, nullptr, 0)};
  }
  std::vector<uint64_t> seeds;
  seeds.reserve(kIterations);
  for (int i = 0; i < kIterations; ++i) seeds.push_back(kFirstSeed + static_cast<uint64_t>(i));
  return seeds;
}

// How the random patches turned out, so that a generator that stopped producing one of
// the outcomes is noticed.
struct Outcomes {
  int applied = 0;
  int failed_to_apply = 0;
  int malformed = 0;
};

// Checks one random patch on one random document: the input is never modified; the patch
// either fails or returns valid minified JSON; and applying it whole is the same as
// applying its operations one by one, except that a malformed operation anywhere rejects
// the patch before any operation runs.
void CheckRandomPatch(uint64_t seed, Outcomes* outcomes) {
  RandomJson random(seed);
  const std::string document = random.Object(3);
  Result<JsonValue> tree = ParseJsonValue(document, JsonLimits{});
  ASSERT_TRUE(tree.ok()) << "generator made invalid JSON: " << document;
  std::vector<std::string> pointers;
  CollectPointers(*tree, "", &pointers);
  std::vector<std::string> operations;
  const int count = 1 + random.Below(5);
  operations.reserve(count);
  for (int i = 0; i < count; ++i) operations.push_back(random.Operation(pointers));
  std::string patch = "[";
  for (size_t i = 0; i < operations.size(); ++i) patch += (i ? "," : "") + operations[i];
  patch += "]";
  SCOPED_TRACE("document " + document + "\npatch " + patch);

  const std::string document_before = document;  // NOLINT(performance-unnecessary-copy-*)
  const Result<std::string> whole = ApplyJsonPatch(document, patch);
  ASSERT_EQ(document, document_before);
  if (whole.ok()) {
    const Result<std::string> revalidated = ValidateAndMinifyJson(*whole);
    ASSERT_TRUE(revalidated.ok()) << *whole;
    ASSERT_EQ(*revalidated, *whole) << "the result is not minified";
    ASSERT_EQ(ApplyJsonPatch(document, patch).value(), *whole) << "not deterministic";
  } else {
    const StatusCode code = whole.status().code();
    ASSERT_TRUE(code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition)
        << whole.status().ToString();
  }

  for (const std::string& operation : operations) {
    if (!ParseJsonPatchOperations("[" + operation + "]", JsonLimits{}).ok()) {
      ASSERT_FALSE(whole.ok()) << "a malformed operation must reject the patch: " << operation;
      ASSERT_EQ(whole.status().code(), StatusCode::kInvalidArgument);
      ++outcomes->malformed;
      return;
    }
  }
  std::string current = ValidateAndMinifyJson(document).value();
  for (const std::string& operation : operations) {
    const Result<std::string> step = ApplyJsonPatch(current, "[" + operation + "]");
    if (!step.ok()) {
      ASSERT_FALSE(whole.ok()) << "whole patch applied, but alone " << operation
                               << " fails: " << step.status().ToString();
      ASSERT_EQ(whole.status().code(), step.status().code());
      ASSERT_EQ(WithoutOperationPrefix(whole.status().message()),
                WithoutOperationPrefix(step.status().message()));
      ++outcomes->failed_to_apply;
      return;
    }
    current = *step;
  }
  ASSERT_TRUE(whole.ok()) << "every operation applies alone, yet the patch fails: "
                          << whole.status().ToString();
  ASSERT_EQ(*whole, current);
  ++outcomes->applied;
}

// A merge patch always applies, gives valid minified JSON, and applying it again changes
// nothing (RFC 7386 merge patches are idempotent).
void CheckRandomMergePatch(uint64_t seed) {
  RandomJson random(seed);
  const std::string document = random.Value(3);
  const std::string patch = random.Value(3);
  SCOPED_TRACE("document " + document + "\nmerge patch " + patch);
  const Result<std::string> merged = ApplyJsonMergePatch(document, patch);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  ASSERT_EQ(ValidateAndMinifyJson(*merged).value(), *merged);
  const Result<std::string> again = ApplyJsonMergePatch(*merged, patch);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(*again, *merged);
}

TEST(JsonPatchPropertyTest, RandomPatchesApplyWhollyOrNotAtAll) {
  Outcomes outcomes;
  const std::vector<uint64_t> seeds = Seeds();
  for (const uint64_t seed : seeds) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (rerun with DOCDB_JSON_PROPERTY_SEED=" + std::to_string(seed) + ")");
    CheckRandomPatch(seed, &outcomes);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("%zu random patches: %d applied, %d failed at an operation, %d malformed\n",
              seeds.size(), outcomes.applied, outcomes.failed_to_apply, outcomes.malformed);
  if (seeds.size() > 1) {
    EXPECT_GT(outcomes.applied, kIterations / 10);
    EXPECT_GT(outcomes.failed_to_apply, kIterations / 10);
    EXPECT_GT(outcomes.malformed, 0);
  }
}

TEST(JsonPatchPropertyTest, RandomMergePatchesApplyAndAreIdempotent) {
  for (const uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (rerun with DOCDB_JSON_PROPERTY_SEED=" + std::to_string(seed) + ")");
    CheckRandomMergePatch(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(JsonPatchPropertyTest, TheTreeAndTheStreamingValidatorAgree) {
  for (const uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomJson random(seed);
    const std::string text = random.Value(4);
    const Result<std::string> minified = ValidateAndMinifyJson(text);
    const Result<JsonValue> tree = ParseJsonValue(text, JsonLimits{});
    ASSERT_TRUE(minified.ok() && tree.ok()) << text;
    ASSERT_EQ(tree->ToMinifiedJson(), *minified);
    ASSERT_EQ(tree->MinifiedBytes(), minified->size());
  }
}

}  // namespace
}  // namespace docdb::json
