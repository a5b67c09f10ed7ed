// libFuzzer target for the patch appliers (json/patch.h, json/merge_patch.h).
// The input is a document and a patch separated by the first NUL byte (which valid JSON
// never holds unescaped); without a NUL it is a patch for a fixed document. The same pair
// also runs as a merge patch. Small limits make the size and depth checks easy to reach.
// A patch that applies gives valid minified JSON within the limits; one that does not
// fails with InvalidArgument or FailedPrecondition; a merge patch of valid JSON always
// applies (unless the result is too big) and applying it twice changes nothing more.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "docdb/status.h"
#include "fuzz/fuzz_check.h"
#include "json/merge_patch.h"
#include "json/patch.h"
#include "json/validator.h"

namespace docdb::json {
namespace {

constexpr std::string_view kDefaultDocument =
    R"({"a":[1,2,{"b":null,"c":"d"}],"e":{"f":1.50,"g":[[]]},"":0,"m~n/o":true})";

constexpr JsonLimits kLimits{size_t{1} << 16, 16};

void CheckPatchResult(std::string_view document, const Result<std::string>& result) {
  if (!result.ok()) {
    const StatusCode code = result.status().code();
    DOCDB_FUZZ_CHECK(code == StatusCode::kInvalidArgument ||
                     code == StatusCode::kFailedPrecondition);
    // A document that is not valid JSON can only be reported as bad input.
    if (!ValidateAndMinifyJson(document, kLimits).ok()) {
      DOCDB_FUZZ_CHECK(code == StatusCode::kInvalidArgument);
    }
    return;
  }
  const Result<std::string> revalidated = ValidateAndMinifyJson(*result, kLimits);
  DOCDB_FUZZ_CHECK(revalidated.ok());
  DOCDB_FUZZ_CHECK(*revalidated == *result);
}

void CheckMergePatch(std::string_view document, std::string_view patch) {
  const Result<std::string> merged = ApplyJsonMergePatch(document, patch, kLimits);
  if (!merged.ok()) {
    DOCDB_FUZZ_CHECK(merged.status().code() == StatusCode::kInvalidArgument);
    return;
  }
  const Result<std::string> revalidated = ValidateAndMinifyJson(*merged, kLimits);
  DOCDB_FUZZ_CHECK(revalidated.ok());
  DOCDB_FUZZ_CHECK(*revalidated == *merged);
  const Result<std::string> again = ApplyJsonMergePatch(*merged, patch, kLimits);
  DOCDB_FUZZ_CHECK(again.ok());
  DOCDB_FUZZ_CHECK(*again == *merged);
}

void CheckInput(std::string_view input) {
  std::string_view document = kDefaultDocument;
  std::string_view patch = input;
  const size_t separator = input.find('\0');
  if (separator != std::string_view::npos) {
    document = input.substr(0, separator);
    patch = input.substr(separator + 1);
  }
  const std::string document_before(document);
  CheckPatchResult(document, ApplyJsonPatch(document, patch, kLimits));
  DOCDB_FUZZ_CHECK(document == document_before);
  CheckMergePatch(document, patch);
}

}  // namespace
}  // namespace docdb::json

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docdb::json::CheckInput(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
