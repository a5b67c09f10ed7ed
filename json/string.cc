// UTF-8 validation and JSON string quoting (json/string.h).
#include "json/string.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace docdb::json {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// The escape for byte `c` inside a quoted string: 0 when it stands for itself, the letter
// after the backslash otherwise ('u' for \u00XX).
constexpr char ComputeEscapeLetter(unsigned char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return c < 0x20 ? 'u' : 0;
  }
}

// ComputeEscapeLetter for every byte: strings are escaped a byte at a time on every write.
constexpr std::array<char, 256> kEscapeLetters = [] {
  std::array<char, 256> letters{};
  for (size_t c = 0; c < letters.size(); ++c) {
    letters[c] = ComputeEscapeLetter(static_cast<unsigned char>(c));
  }
  return letters;
}();

char EscapeLetter(unsigned char c) { return kEscapeLetters[c]; }

// The bytes of the UTF-8 sequence starting at bytes[0] when it is well formed, else 0.
// The bounds of the second byte follow RFC 3629's table: they exclude overlong forms (E0
// 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..).
size_t ValidSequenceBytes(std::string_view bytes) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (bytes.size() < length) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// Whether any of the eight bytes of `word` needs an escape: a control character (below
// 0x20), '"' or '\\'. Bytes of multi-byte UTF-8 sequences (0x80 and up) never do.
bool WordNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  // The high bit of each byte that is below `n` (n <= 0x80), exactly.
  const auto below = [&](uint64_t w, uint64_t n) { return (w - kOnes * n) & ~w & kHighBits; };
  return (below(word, 0x20) | below(word ^ (kOnes * '"'), 1) | below(word ^ (kOnes * '\\'), 1)) !=
         0;
}

// Appends `text` escaped as inside a JSON string, without the quotes. Text that needs no
// escape (most of a document's) is passed over eight bytes at a time.
void AppendEscaped(std::string_view text, std::string* out) {
  size_t plain_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    uint64_t word = 0;
    while (i + sizeof word <= text.size() &&
           (std::memcpy(&word, text.data() + i, sizeof word), !WordNeedsEscape(word))) {
      i += sizeof word;
    }
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    const char letter = EscapeLetter(c);
    if (letter == 0) continue;
    // Runs of characters that stand for themselves are copied in one append.
    out->append(text.substr(plain_start, i - plain_start));
    plain_start = i + 1;
    out->push_back('\\');
    out->push_back(letter);
    if (letter == 'u') {
      out->append("00");
      out->push_back(kHexDigits[c >> 4]);
      out->push_back(kHexDigits[c & 0xF]);
    }
  }
  out->append(text.substr(plain_start));
}

}  // namespace

size_t ValidUtf8PrefixBytes(std::string_view bytes) {
  size_t offset = 0;
  while (offset < bytes.size()) {
    // Eight ASCII bytes at a time: documents are mostly ASCII.
    if (bytes.size() - offset >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, bytes.data() + offset, sizeof(word));
      if ((word & 0x8080808080808080ull) == 0) {
        offset += 8;
        continue;
      }
    }
    const size_t length = ValidSequenceBytes(bytes.substr(offset));
    if (length == 0) break;
    offset += length;
  }
  return offset;
}

void AppendQuotedJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  AppendEscaped(text, out);
  out->push_back('"');
}

size_t QuotedJsonStringBytes(std::string_view text) {
  size_t bytes = 2;  // the quotes
  for (const char ch : text) {
    const char letter = EscapeLetter(static_cast<unsigned char>(ch));
    bytes += letter == 0 ? 1 : letter == 'u' ? 6 : 2;
  }
  return bytes;
}

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  if (cut) {
    // Back up to the start of a character so that the cut splits none.
    size_t keep = max_bytes;
    while (keep > 0 && (static_cast<uint8_t>(text[keep]) & 0xC0) == 0x80) --keep;
    text = text.substr(0, keep);
  }
  std::string quoted = "\"";
  // The text may be what was rejected for not being UTF-8: its bad bytes are shown as \xNN
  // so that the message itself stays valid UTF-8.
  while (!text.empty()) {
    const size_t valid = ValidUtf8PrefixBytes(text);
    AppendEscaped(text.substr(0, valid), &quoted);
    if (valid == text.size()) break;
    const auto bad = static_cast<uint8_t>(text[valid]);
    quoted.append("\\x");
    quoted.push_back(kHexDigits[bad >> 4]);
    quoted.push_back(kHexDigits[bad & 0xF]);
    text.remove_prefix(valid + 1);
  }
  quoted.push_back('"');
  if (cut) quoted.append("...");
  return quoted;
}

}  // namespace docdb::json
