#include <gtest/gtest.h>

#include <string>

#include "json/number.h"

namespace docdb::json {
namespace {

TEST(JsonNumbersEqualTest, SameValueWrittenDifferentlyIsEqual) {
  EXPECT_TRUE(JsonNumbersEqual("1", "1"));
  EXPECT_TRUE(JsonNumbersEqual("1", "1.0"));
  EXPECT_TRUE(JsonNumbersEqual("1", "1e0"));
  EXPECT_TRUE(JsonNumbersEqual("1", "10e-1"));
  EXPECT_TRUE(JsonNumbersEqual("1", "0.1E+1"));
  EXPECT_TRUE(JsonNumbersEqual("100", "1e2"));
  EXPECT_TRUE(JsonNumbersEqual("-2.50", "-25e-1"));
  EXPECT_TRUE(JsonNumbersEqual("0.000123", "1.23e-4"));
  EXPECT_TRUE(JsonNumbersEqual("1200", "12E2"));
}

TEST(JsonNumbersEqualTest, AllZerosAreEqual) {
  EXPECT_TRUE(JsonNumbersEqual("0", "-0"));
  EXPECT_TRUE(JsonNumbersEqual("0", "0.000"));
  EXPECT_TRUE(JsonNumbersEqual("0e5", "-0.0E-7"));
  EXPECT_FALSE(JsonNumbersEqual("0", "1e-400"));
}

TEST(JsonNumbersEqualTest, DifferentValuesAreNotEqual) {
  EXPECT_FALSE(JsonNumbersEqual("1", "2"));
  EXPECT_FALSE(JsonNumbersEqual("1", "-1"));
  EXPECT_FALSE(JsonNumbersEqual("1", "10"));
  EXPECT_FALSE(JsonNumbersEqual("1.5", "15"));
  EXPECT_FALSE(JsonNumbersEqual("1e2", "1e3"));
}

TEST(JsonNumbersEqualTest, IntegersBeyond64BitsAreComparedExactly) {
  EXPECT_FALSE(JsonNumbersEqual("12345678901234567890123", "12345678901234567890124"));
  EXPECT_TRUE(JsonNumbersEqual("12345678901234567890123", "1.2345678901234567890123e22"));
  // Equal as doubles, different as numbers.
  EXPECT_FALSE(JsonNumbersEqual("9007199254740993", "9007199254740992"));
  EXPECT_FALSE(JsonNumbersEqual("0.1", "0.1000000000000000055511151231257827"));
}

TEST(JsonNumbersEqualTest, HugeExponentsAreComparedExactly) {
  EXPECT_TRUE(JsonNumbersEqual("1e-100000000000000000000000", "10e-100000000000000000000001"));
  EXPECT_TRUE(JsonNumbersEqual("0.1e-99999999999999999999999", "1e-100000000000000000000000"));
  EXPECT_FALSE(JsonNumbersEqual("1e-100000000000000000000000", "1e-100000000000000000000001"));
  EXPECT_TRUE(JsonNumbersEqual("1000e-9999999999999999999", "1e-9999999999999999996"));
  EXPECT_TRUE(JsonNumbersEqual("1e-000000000000000000000000005", "1e-5"));
}

}  // namespace
}  // namespace docdb::json
