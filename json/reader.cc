// The strict JSON reader (json/reader.h).
//
// RapidJSON parses iteratively (kParseIterativeFlag: no recursion however deep the input),
// validates UTF-8 (kParseValidateEncodingFlag, only for text that is not UTF-8 as a
// whole: the error then names the string), hands numbers over as their text
// (kParseNumbersAsStringsFlag) and stops after the value (kParseStopWhenDoneFlag) so that
// the bytes after it are checked here: RapidJSON's own check would stop at a NUL. It
// parses a copy of the text in place (kParseInsituFlag): strings are decoded where they
// stand rather than a byte at a time into a stack, and its SSE2 scanners for whitespace
// and unescaped string bytes run (json/rapidjson.h). Comments and trailing commas are
// rejected because their flags are never set. What RapidJSON does not check,
// StrictJsonHandler does: depth, duplicate member names, and \u escapes of lone low
// surrogates (\uDC00), which RapidJSON 1.1.0 decodes into invalid UTF-8.
#include "json/reader.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "json/rapidjson.h"
#include "json/string.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace docdb::json {
namespace {

constexpr unsigned kStrictParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
    rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseInsituFlag;

// Past the copy's terminating NUL, zeros to the end of the 16-byte block that holds it:
// RapidJSON's SSE2 scanners read whole aligned blocks and stop at the NUL.
constexpr size_t kCopyPaddingBytes = 16;
// Objects with up to this many members are checked for duplicate names pairwise, without
// sorting (or allocating).
constexpr size_t kPairwiseKeyCheckMax = 16;
// A thread's copy buffer is given back after a text larger than this.
constexpr size_t kMaxKeptCopyBytes = 1 << 20;

// Copies `text` to `out`, with 0x01 in place of each byte 0x1A-0x1F. RapidJSON 1.1.0's
// SSE2 string scanner takes those bytes for ordinary string bytes: it tests for <= 0x19
// where it means < 0x20. Such a byte is invalid wherever it stands, and RapidJSON rejects
// 0x01 in every place in the same way; errors still describe the original text.
void CopyMaskingControlBytes(std::string_view text, char* out) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(0x1A);
  const __m128i span = _mm_set1_epi8(5);  // 0x1A + 5 = 0x1F
  const __m128i one = _mm_set1_epi8(1);
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    const __m128i offset = _mm_sub_epi8(bytes, first);
    // offset <= 5, unsigned: the byte is in 0x1A-0x1F.
    const __m128i masked = _mm_cmpeq_epi8(_mm_min_epu8(offset, span), offset);
    const __m128i kept = _mm_or_si128(_mm_andnot_si128(masked, bytes), _mm_and_si128(masked, one));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), kept);
  }
#endif
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out[i] = static_cast<unsigned char>(byte - 0x1A) < 6 ? '\x01' : text[i];
  }
}

// The NUL-terminated, padded copy of a text that one parse decodes in place. Each thread
// reuses one buffer; a parse begun from inside another (a sink that parses) gets its own.
class ParseCopy {
 public:
  explicit ParseCopy(std::string_view text) {
    Reused& reused = ThreadBuffer();
    if (!reused.in_use) {
      reused.in_use = true;
      reused_ = &reused;
      buffer_ = &reused.buffer;
    }
    buffer_->resize(text.size() + 1 + kCopyPaddingBytes);
    char* copy = buffer_->data();
    CopyMaskingControlBytes(text, copy);
    std::memset(copy + text.size(), 0, 1 + kCopyPaddingBytes);
  }
  ~ParseCopy() {
    if (reused_ == nullptr) return;
    if (reused_->buffer.capacity() > kMaxKeptCopyBytes) std::string().swap(reused_->buffer);
    reused_->in_use = false;
  }
  ParseCopy(const ParseCopy&) = delete;
  ParseCopy& operator=(const ParseCopy&) = delete;

  char* data() { return buffer_->data(); }

 private:
  struct Reused {
    std::string buffer;
    bool in_use = false;
  };
  static Reused& ThreadBuffer() {
    thread_local Reused reused;
    return reused;
  }

  Reused* reused_ = nullptr;
  std::string own_;
  std::string* buffer_ = &own_;
};

Status ErrorAt(size_t offset, std::string_view what) {
  return Status::InvalidArgument("invalid JSON at byte " + std::to_string(offset) + ": " +
                                 std::string(what));
}

// Names the byte at `offset` for a message: "'x'", "byte 0x00", or "the end of the text".
std::string DescribeByteAt(std::string_view text, size_t offset) {
  if (offset >= text.size()) return "the end of the text";
  const auto c = static_cast<uint8_t>(text[offset]);
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string described = "byte 0x";
  described.push_back(kHexDigits[c >> 4]);
  described.push_back(kHexDigits[c & 0xF]);
  if (c == 0) described.append(" (NUL)");
  return described;
}

// What went wrong, for each of RapidJSON's syntax errors, in DocDB's words.
std::string DescribeParseError(rapidjson::ParseErrorCode code, std::string_view text,
                               size_t offset) {
  const std::string found = ", found " + DescribeByteAt(text, offset);
  const bool control_char = offset < text.size() && static_cast<uint8_t>(text[offset]) < 0x20;
  switch (code) {
    case rapidjson::kParseErrorDocumentEmpty:
      return "no JSON value: the text is empty or only whitespace";
    case rapidjson::kParseErrorValueInvalid:
      return "expected a value (object, array, string, number, true, false or null)" + found;
    case rapidjson::kParseErrorObjectMissName:
      return "expected a member name in double quotes" + found;
    case rapidjson::kParseErrorObjectMissColon:
      return "expected ':' after a member name" + found;
    case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket:
      return "expected ',' or '}' after an object member" + found;
    case rapidjson::kParseErrorArrayMissCommaOrSquareBracket:
      return "expected ',' or ']' after an array element" + found;
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex:
      return "\\u escape without four hex digits";
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
      return "\\u escape of a UTF-16 high surrogate without a low surrogate escape after it";
    case rapidjson::kParseErrorStringEscapeInvalid:
    case rapidjson::kParseErrorStringMissQuotationMark:
      if (control_char) return "control character in a string (it must be escaped)" + found;
      if (code == rapidjson::kParseErrorStringEscapeInvalid) return "invalid escape in a string";
      return "string without its closing quote";
    case rapidjson::kParseErrorStringInvalidEncoding:
      return "invalid UTF-8 in a string";
    case rapidjson::kParseErrorNumberTooBig:
      return "number beyond the range of a double (about 1.8e308), the largest accepted";
    case rapidjson::kParseErrorNumberMissFraction:
      return "expected digits after the decimal point" + found;
    case rapidjson::kParseErrorNumberMissExponent:
      return "expected digits in the exponent" + found;
    default:
      return "syntax error (RapidJSON error " + std::to_string(static_cast<int>(code)) + ")" +
             found;
  }
}

// The offset of the opening quote of the string whose closing quote is at text[end - 1].
// The numbers of a text that RapidJSON cannot take (below): start offset -> length.
using HugeNumbers = std::map<size_t, size_t>;

// The RapidJSON handler: checks each event against the rules RapidJSON leaves out, then
// forwards it, but for the first `skip` events (a second parse of the same text, whose
// first events the sink has seen already). Returning false stops the parse; error() then
// says why. Strings and numbers arrive as pointers into the copy being parsed (`base`),
// which give their offsets: RapidJSON advances a copy of the stream while it reads one,
// so the stream itself tells the offset only between tokens.
class StrictJsonHandler {
 public:
  StrictJsonHandler(std::string_view text, const char* base, rapidjson::InsituStringStream* stream,
                    const HugeNumbers* huge, uint32_t max_depth, uint64_t skip, JsonEventSink* sink)
      : text_(text),
        base_(base),
        stream_(stream),
        huge_(huge),
        max_depth_(max_depth),
        skip_(skip),
        sink_(sink) {
    // Room for a typical document's names without growing.
    keys_.reserve(kPairwiseKeyCheckMax);
    open_objects_.reserve(8);
  }

  const Status& error() const { return error_; }
  uint64_t events() const { return events_; }  // delivered or skipped

  bool Null() {
    if (Deliver()) sink_->OnNull();
    return true;
  }
  bool Bool(bool value) {
    if (Deliver()) sink_->OnBool(value);
    return true;
  }
  // kParseNumbersAsStringsFlag sends every number to RawNumber.
  bool Int(int) { return NotRawNumber(); }
  bool Uint(unsigned) { return NotRawNumber(); }
  bool Int64(int64_t) { return NotRawNumber(); }
  bool Uint64(uint64_t) { return NotRawNumber(); }
  bool Double(double) { return NotRawNumber(); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (!Deliver()) return true;
    // A huge number was parsed as the 0 that stands in for it: the sink gets it as given.
    const size_t start = OffsetOf(text);
    if (huge_ != nullptr) {
      if (auto it = huge_->find(start); it != huge_->end()) {
        sink_->OnNumber(text_.substr(start, it->second));
        return true;
      }
    }
    sink_->OnNumber(std::string_view(text, length));
    return true;
  }
  bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const std::string_view value(text, length);
    if (!CheckDecodedString(value, QuoteOffsetOf(text))) return false;
    if (Deliver()) sink_->OnString(value);
    return true;
  }
  bool StartObject() {
    if (!EnterContainer()) return false;
    open_objects_.push_back(keys_.size());
    if (Deliver()) sink_->OnStartObject();
    return true;
  }
  bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const std::string_view name(text, length);
    if (!CheckDecodedString(name, QuoteOffsetOf(text))) return false;
    keys_.push_back({name, QuoteOffsetOf(text)});
    if (Deliver()) sink_->OnKey(name);
    return true;
  }
  bool EndObject(rapidjson::SizeType /*member_count*/) {
    if (!CheckNoDuplicateNames()) return false;
    keys_.resize(open_objects_.back());
    open_objects_.pop_back();
    --depth_;
    if (Deliver()) sink_->OnEndObject();
    return true;
  }
  bool StartArray() {
    if (!EnterContainer()) return false;
    if (Deliver()) sink_->OnStartArray();
    return true;
  }
  bool EndArray(rapidjson::SizeType /*element_count*/) {
    --depth_;
    if (Deliver()) sink_->OnEndArray();
    return true;
  }

 private:
  struct KeyRecord {
    // Decoded in place in the copy, where no later string is decoded over it.
    std::string_view name;
    size_t text_offset;  // of its opening quote in text_
  };

  bool Fail(Status status) {
    error_ = std::move(status);
    return false;
  }

  // Whether the next event goes to the sink.
  bool Deliver() { return ++events_ > skip_; }

  size_t OffsetOf(const char* in_copy) const { return static_cast<size_t>(in_copy - base_); }
  // A string is decoded where it stands, from just after its opening quote.
  size_t QuoteOffsetOf(const char* decoded) const { return OffsetOf(decoded) - 1; }

  bool NotRawNumber() {
    return Fail(Status::Internal("RapidJSON delivered a number as a value, not as text"));
  }

  // RapidJSON calls StartObject and StartArray before it consumes the bracket, so the
  // stream is at the bracket that goes one level too deep.
  bool EnterContainer() {
    if (depth_ == max_depth_) {
      return Fail(ErrorAt(stream_->Tell(), "arrays and objects nested deeper than the limit of " +
                                               std::to_string(max_depth_)));
    }
    ++depth_;
    return true;
  }

  // The input was validated as UTF-8, so invalid UTF-8 in a decoded string can only come
  // from a \u escape of a lone low surrogate.
  bool CheckDecodedString(std::string_view decoded, size_t quote_offset) {
    if (IsValidUtf8(decoded)) return true;
    return Fail(ErrorAt(quote_offset, "string with a \\u escape of a lone UTF-16 surrogate"));
  }

  // Called as the innermost open object ends; the repeat reported is the first in the
  // text. A small object's names are compared pairwise; a larger one's are sorted (by
  // name, then place), which finds duplicates in O(n log n).
  bool CheckNoDuplicateNames() {
    const size_t first = open_objects_.back();
    const size_t count = keys_.size() - first;
    if (count < 2) return true;
    const KeyRecord* repeat = nullptr;
    if (count <= kPairwiseKeyCheckMax) {
      for (size_t j = first + 1; j < keys_.size() && repeat == nullptr; ++j) {
        for (size_t i = first; i < j; ++i) {
          if (keys_[i].name == keys_[j].name) {
            repeat = &keys_[j];
            break;
          }
        }
      }
    } else {
      std::vector<const KeyRecord*> sorted;
      sorted.reserve(count);
      for (size_t i = first; i < keys_.size(); ++i) sorted.push_back(&keys_[i]);
      std::sort(sorted.begin(), sorted.end(), [](const KeyRecord* a, const KeyRecord* b) {
        const int order = a->name.compare(b->name);
        return order != 0 ? order < 0 : a->text_offset < b->text_offset;
      });
      for (size_t i = 1; i < sorted.size(); ++i) {
        if (sorted[i]->name != sorted[i - 1]->name) continue;
        if (repeat == nullptr || sorted[i]->text_offset < repeat->text_offset) repeat = sorted[i];
      }
    }
    if (repeat == nullptr) return true;
    return Fail(
        ErrorAt(repeat->text_offset, "duplicate member name " + QuoteForMessage(repeat->name)));
  }

  const std::string_view text_;
  const char* const base_;
  rapidjson::InsituStringStream* const stream_;  // Tell() is not const
  const HugeNumbers* const huge_;
  const uint32_t max_depth_;
  const uint64_t skip_;
  uint64_t events_ = 0;
  JsonEventSink* const sink_;
  uint32_t depth_ = 0;
  // The member names of every object still open, innermost last, for the duplicate check;
  // open_objects_ holds where each one's names begin in keys_.
  std::vector<size_t> open_objects_;
  std::vector<KeyRecord> keys_;
  Status error_;
};

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RapidJSON refuses numbers a double cannot hold (an integer part of more than about 308
// digits, a positive exponent above about 308) even when it hands numbers over as text.
// This finds every number outside strings that could be one (more than 300 integer
// digits, or an exponent above 300), following RFC 8259's grammar exactly, and returns
// the text with each replaced by a 0 and spaces: the same length, so that every offset
// stays, and valid exactly when the original is. *huge gets where each one was.
std::string TameHugeNumbers(std::string_view text, HugeNumbers* huge) {
  std::string tamed(text);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !IsDigit(c)) continue;
    size_t j = i + (c == '-' ? 1 : 0);
    if (j == text.size() || !IsDigit(text[j])) continue;  // not a number: RapidJSON says so
    const size_t integer_start = j;
    if (text[j] == '0') {
      ++j;  // a leading 0 is the whole integer part
    } else {
      while (j < text.size() && IsDigit(text[j])) ++j;
    }
    const size_t integer_digits = j - integer_start;
    if (j + 1 < text.size() && text[j] == '.' && IsDigit(text[j + 1])) {
      for (++j; j < text.size() && IsDigit(text[j]);) ++j;
    }
    uint64_t exponent = 0;
    if (j + 1 < text.size() && (text[j] == 'e' || text[j] == 'E')) {
      size_t k = j + 1;
      const bool negative = text[k] == '-';
      if (text[k] == '+' || text[k] == '-') ++k;
      if (k < text.size() && IsDigit(text[k])) {
        for (; k < text.size() && IsDigit(text[k]); ++k) {
          if (!negative && exponent <= 1'000'000) exponent = exponent * 10 + (text[k] - '0');
        }
        j = k;
      }
    }
    if (integer_digits > 300 || exponent > 300) {
      (*huge)[i] = j - i;
      tamed[i] = '0';
      std::fill(tamed.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                tamed.begin() + static_cast<std::ptrdiff_t>(j), ' ');
    }
    i = j - 1;
  }
  return tamed;
}

// One parse of `parsed` (the text, or its tamed copy) as `text`; the events after the
// first `skip` go to `sink`. *events gets how many there were; *too_big whether RapidJSON
// stopped at a number it could not hold.
Status Parse(std::string_view text, std::string_view parsed, const HugeNumbers* huge,
             const JsonLimits& limits, uint64_t skip, JsonEventSink* sink, uint64_t* events,
             bool* too_big) {
  ParseCopy copy(parsed);
  rapidjson::InsituStringStream stream(copy.data());
  StrictJsonHandler handler(text, copy.data(), &stream, huge, limits.max_depth, skip, sink);
  rapidjson::Reader reader;
  // Text that is valid UTF-8 as a whole is parsed without RapidJSON's check of each
  // string's bytes (a fifth of the time of a 1 KiB document); other text is parsed with
  // it, so that the error names the string and offset.
  const rapidjson::ParseResult result =
      IsValidUtf8(parsed) ? reader.Parse<kStrictParseFlags>(stream, handler)
                          : reader.Parse<kStrictParseFlags | rapidjson::kParseValidateEncodingFlag>(
                                stream, handler);
  *events = handler.events();
  *too_big = result.Code() == rapidjson::kParseErrorNumberTooBig;
  if (result.IsError()) {
    if (result.Code() == rapidjson::kParseErrorTermination && !handler.error().ok()) {
      return handler.error();
    }
    return ErrorAt(result.Offset(), DescribeParseError(result.Code(), text, result.Offset()));
  }
  size_t end = stream.Tell();
  while (end < parsed.size() && IsJsonWhitespace(parsed[end])) ++end;
  if (end < text.size()) {
    return ErrorAt(end, "unexpected " + DescribeByteAt(text, end) + " after the JSON value");
  }
  return Status::OK();
}

}  // namespace

Status ReadJson(std::string_view text, const JsonLimits& limits, JsonEventSink* sink) {
  assert(sink != nullptr);
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument("JSON text of " + std::to_string(text.size()) +
                                   " bytes is over the limit of " +
                                   std::to_string(limits.max_bytes) + " bytes");
  }
  uint64_t events = 0;
  bool too_big = false;
  Status parsed = Parse(text, text, nullptr, limits, 0, sink, &events, &too_big);
  if (!too_big) return parsed;
  // Rare: a number beyond a double. The events before it were right; the text is parsed
  // again with every such number tamed, and the sink gets the rest.
  HugeNumbers huge;
  const std::string tamed = TameHugeNumbers(text, &huge);
  if (huge.empty()) return parsed;
  return Parse(text, tamed, &huge, limits, events, sink, &events, &too_big);
}

}  // namespace docdb::json
