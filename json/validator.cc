// Validation and minification of document bodies (json/validator.h).
#include "json/validator.h"

#include <cassert>

#include "common/status_macros.h"
#include "json/reader.h"
#include "json/string.h"

namespace docdb::json {
namespace {

// Writes the events it receives as minified JSON.
class JsonMinifier final : public JsonEventSink {
 public:
  // `plain_strings`: the text has no backslash, so that no string or name in it holds an
  // escape, and each decodes to exactly the bytes that stand for it. Those bytes are
  // then already in canonical form (an unescaped string holds no quote, backslash or
  // control character), and are copied instead of escaped again.
  JsonMinifier(size_t expected_bytes, bool plain_strings) : plain_strings_(plain_strings) {
    out_.reserve(expected_bytes);
  }

  std::string TakeOutput() { return std::move(out_); }

  void OnNull() override { Append("null"); }
  void OnBool(bool value) override { Append(value ? "true" : "false"); }
  void OnNumber(std::string_view text) override { Append(text); }
  void OnString(std::string_view text) override {
    SeparateFromPrevious();
    AppendQuoted(text);
  }
  void OnStartObject() override { Append("{"); }
  void OnKey(std::string_view name) override {
    SeparateFromPrevious();
    AppendQuoted(name);
    out_.push_back(':');
  }
  void OnEndObject() override { out_.push_back('}'); }
  void OnStartArray() override { Append("["); }
  void OnEndArray() override { out_.push_back(']'); }

 private:
  // In minified JSON a value or member name needs a comma before it exactly when the byte
  // before it ends a value: anything but the opening bracket of its container or the ':'
  // after its name. The root value has nothing before it.
  void SeparateFromPrevious() {
    if (out_.empty()) return;
    const char last = out_.back();
    if (last != '[' && last != '{' && last != ':') out_.push_back(',');
  }

  void Append(std::string_view token) {
    SeparateFromPrevious();
    out_.append(token);
  }

  void AppendQuoted(std::string_view text) {
    if (!plain_strings_) return AppendQuotedJsonString(text, &out_);
    out_.push_back('"');
    out_.append(text);
    out_.push_back('"');
  }

  const bool plain_strings_;
  std::string out_;
};

}  // namespace

Result<std::string> ValidateAndMinifyJson(std::string_view body, const JsonLimits& limits) {
  JsonMinifier minifier(body.size(), body.find('\\') == std::string_view::npos);
  DOCDB_RETURN_IF_ERROR(ReadJson(body, limits, &minifier));
  std::string minified = minifier.TakeOutput();
  // Every token is written in a form no longer than any way of writing it in the input.
  assert(minified.size() <= body.size());
  return minified;
}

}  // namespace docdb::json
