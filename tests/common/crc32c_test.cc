#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace docdb {
namespace {

// RFC 3720, appendix B.4.
TEST(Crc32cTest, MatchesRfc3720TestVectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(crc32c::Value(ones), 0x62A8AB43u);
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(crc32c::Value(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c::Value(descending), 0x113FDB5Cu);
  const unsigned char iscsi_read[48] = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
                                        0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc32c::Value(iscsi_read, sizeof(iscsi_read)), 0xD9963A56u);
  EXPECT_EQ(crc32c::Value(std::string_view("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, ExtendEqualsValueOfConcatenation) {
  const std::string a = "hello, ";
  const std::string b = "world";
  EXPECT_EQ(crc32c::Extend(crc32c::Value(a), b.data(), b.size()), crc32c::Value(a + b));
}

TEST(Crc32cTest, HardwareAndTableAgreeOnEveryLengthAndAlignment) {
  // Long enough for the hardware path's three interleaved streams (384-byte chunks) to
  // run several times, with every remainder after them.
  std::mt19937 rng(7);
  std::string data(2000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t start = 0; start < 8; ++start) {
    for (size_t len = 0; start + len <= data.size(); len += 13) {
      ASSERT_EQ(crc32c::Value(data.data() + start, len),
                crc32c::ExtendPortable(0, data.data() + start, len))
          << "start " << start << " len " << len;
      const uint32_t init = static_cast<uint32_t>(rng());
      ASSERT_EQ(crc32c::Extend(init, data.data() + start, len),
                crc32c::ExtendPortable(init, data.data() + start, len))
          << "start " << start << " len " << len << " init " << init;
    }
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  std::string data = "a record that must not change silently";
  const uint32_t good = crc32c::Value(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    data[i / 8] ^= static_cast<char>(1 << (i % 8));
    EXPECT_NE(crc32c::Value(data), good) << "bit " << i;
    data[i / 8] ^= static_cast<char>(1 << (i % 8));
  }
}

}  // namespace
}  // namespace docdb
