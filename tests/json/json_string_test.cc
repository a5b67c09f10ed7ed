#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "json/string.h"

namespace docdb::json {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendQuotedJsonString(text, &out);
  EXPECT_EQ(out.size(), QuotedJsonStringBytes(text)) << "size and output disagree";
  return out;
}

TEST(JsonStringTest, WellFormedUtf8IsValid) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));              // U+0080
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));          // U+0800
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));          // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));      // U+10000
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // NUL is a character
}

TEST(JsonStringTest, OverlongFormsAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));
}

TEST(JsonStringTest, EncodedSurrogatesAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // U+DFFF
}

TEST(JsonStringTest, CodePointsAboveU10FFFFAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(JsonStringTest, TruncatedAndStraySequencesAreInvalid) {
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
}

TEST(JsonStringTest, ValidPrefixEndsAtTheFirstBadSequence) {
  EXPECT_EQ(ValidUtf8PrefixBytes("ab\xC3\xA9\xFF"
                                 "cd"),
            4u);
  EXPECT_EQ(ValidUtf8PrefixBytes("abc"), 3u);
}

TEST(JsonStringTest, BadSequenceIsFoundAtEveryPositionAfterAsciiRuns) {
  // ASCII is skipped eight bytes at a time: a bad or good multi-byte sequence must be
  // seen wherever it sits relative to those words, including across their boundaries.
  for (size_t ascii = 0; ascii < 20; ++ascii) {
    const std::string prefix(ascii, 'a');
    EXPECT_EQ(ValidUtf8PrefixBytes(prefix + "\xFF" + std::string(16, 'b')), ascii) << ascii;
    EXPECT_EQ(ValidUtf8PrefixBytes(prefix + "\xE2\x82" + std::string(16, 'b')), ascii) << ascii;
    EXPECT_TRUE(IsValidUtf8(prefix + "\xF0\x90\x80\x80" + std::string(16, 'b'))) << ascii;
    EXPECT_TRUE(IsValidUtf8(prefix + "\xC3\xA9")) << ascii;
  }
}

TEST(JsonStringTest, QuotingEscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(Quoted("plain / text \xC3\xA9"), "\"plain / text \xC3\xA9\"");
  EXPECT_EQ(Quoted("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(Quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(Quoted(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Quoted(""), "\"\"");
}

// RFC 8259's escape of one byte, written out independently of the code under test.
std::string ReferenceEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
  }
  if (c >= 0x20) return std::string(1, static_cast<char>(c));
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
  return escaped;
}

TEST(JsonStringTest, EveryByteThatNeedsAnEscapeIsFoundAtEveryPosition) {
  // Plain text is passed over eight bytes at a time: an escape must be found wherever it
  // sits relative to those words, and the bytes around it must not be taken for one.
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < 19; ++at) {
      const std::string before(at, 'a');
      const std::string after =
          "\xC3\xA9"
          "bcdefghijk~";
      const std::string quoted = Quoted(before + static_cast<char>(c) + after);
      ASSERT_EQ(quoted,
                "\"" + before + ReferenceEscape(static_cast<unsigned char>(c)) + after + "\"")
          << "byte " << c << " at " << at;
    }
  }
}

TEST(JsonStringTest, MessageQuotesAreCutAtACharacterBoundary) {
  EXPECT_EQ(QuoteForMessage("abc", 10), "\"abc\"");
  EXPECT_EQ(QuoteForMessage("abcdef", 3), "\"abc\"...");
  // Cutting after 2 bytes would split the two-byte e-acute.
  EXPECT_EQ(QuoteForMessage("a\xC3\xA9z", 2), "\"a\"...");
}

TEST(JsonStringTest, MessageQuotesShowInvalidBytesInHex) {
  EXPECT_EQ(QuoteForMessage("a\xFF\nb"), "\"a\\xff\\nb\"");
}

}  // namespace
}  // namespace docdb::json
