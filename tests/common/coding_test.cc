#include "common/coding.h"

#include <gtest/gtest.h>

namespace docdb {
namespace {

TEST(CodingTest, FixedWidthIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
  EXPECT_EQ(DecodeFixed64(s.data() + 4), 0x0807060504030201ull);
}

TEST(CodingTest, VarintsRoundTripAtEveryLength) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
  for (int shift = 0; shift < 64; ++shift) values.push_back(uint64_t{1} << shift);
  std::string s;
  for (uint64_t v : values) PutVarint64(&s, v);
  std::string_view in = s;
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, TruncatedVarintIsRejected) {
  std::string s;
  PutVarint64(&s, UINT64_MAX);
  for (size_t len = 0; len < s.size(); ++len) {
    std::string_view in(s.data(), len);
    uint64_t v = 0;
    EXPECT_FALSE(GetVarint64(&in, &v)) << "length " << len;
  }
}

TEST(CodingTest, VarintLongerThan64BitsIsRejected) {
  std::string eleven(10, '\xFF');
  eleven += '\x01';
  std::string_view in = eleven;
  uint64_t v = 0;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string overflow(9, '\xFF');
  overflow += '\x02';  // the tenth byte may only carry bit 63
  in = overflow;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, Varint32RejectsValuesAbove32Bits) {
  std::string s;
  PutVarint64(&s, uint64_t{UINT32_MAX} + 1);
  std::string_view in = s;
  uint32_t v = 0;
  EXPECT_FALSE(GetVarint32(&in, &v));
}

TEST(CodingTest, LengthPrefixedRejectsLengthPastTheEnd) {
  std::string s;
  PutLengthPrefixed(&s, "users");
  std::string_view in = s;
  std::string_view value;
  ASSERT_TRUE(GetLengthPrefixed(&in, &value));
  EXPECT_EQ(value, "users");
  std::string_view cut(s.data(), s.size() - 1);
  EXPECT_FALSE(GetLengthPrefixed(&cut, &value));
}

}  // namespace
}  // namespace docdb
