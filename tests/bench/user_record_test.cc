// The YCSB record checker of docdb-bench (bench/ycsb/user_record.h): it must accept every
// genuine version of a record and reject another record's data or damaged bytes, since
// the benchmark's "verified" column rests on it.
#include "bench/ycsb/user_record.h"

#include <gtest/gtest.h>

namespace docdb::ycsb {
namespace {

TEST(UserRecordTest, AcceptsTheLoadedRecordAndLaterFieldVersions) {
  const std::string key = UserKey(7);
  std::string doc = UserRecord(key);
  EXPECT_TRUE(VerifyUserRecord(key, doc).ok());
  ASSERT_TRUE(ReplaceField(&doc, FieldName(3), FieldValue(key, 3, 12)).ok());
  ASSERT_TRUE(ReplaceField(&doc, FieldName(9), FieldValue(key, 9, 1)).ok());
  const Status verified = VerifyUserRecord(key, doc);
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

TEST(UserRecordTest, FieldValuesAreTiedToKeyFieldAndGeneration) {
  const std::string key = UserKey(1);
  EXPECT_EQ(FieldValue(key, 0, 0).size(), static_cast<size_t>(kFieldValueBytes));
  EXPECT_EQ(FieldValue(key, 0, 0), FieldValue(key, 0, 0));
  EXPECT_NE(FieldValue(key, 0, 0), FieldValue(key, 0, 1));
  EXPECT_NE(FieldValue(key, 0, 0), FieldValue(key, 1, 0));
  EXPECT_NE(FieldValue(key, 0, 0), FieldValue(UserKey(2), 0, 0));
}

TEST(UserRecordTest, RejectsAnotherRecordsData) {
  const std::string key = UserKey(1);
  EXPECT_EQ(VerifyUserRecord(key, UserRecord(UserKey(2))).code(), StatusCode::kCorruption);
  std::string doc = UserRecord(key);
  ASSERT_TRUE(ReplaceField(&doc, FieldName(4), FieldValue(UserKey(2), 4, 0)).ok());
  EXPECT_EQ(VerifyUserRecord(key, doc).code(), StatusCode::kCorruption);
  doc = UserRecord(key);
  ASSERT_TRUE(ReplaceField(&doc, FieldName(4), FieldValue(key, 5, 0)).ok());
  EXPECT_EQ(VerifyUserRecord(key, doc).code(), StatusCode::kCorruption);
}

TEST(UserRecordTest, RejectsEveryDamagedByte) {
  const std::string key = UserKey(3);
  const std::string doc = UserRecord(key);
  for (size_t i = 0; i < doc.size(); ++i) {
    std::string damaged = doc;
    damaged[i] = damaged[i] == 'q' ? 'r' : 'q';
    EXPECT_EQ(VerifyUserRecord(key, damaged).code(), StatusCode::kCorruption) << "byte " << i;
  }
}

TEST(UserRecordTest, RejectsTruncatedAndExtendedRecords) {
  const std::string key = UserKey(4);
  const std::string doc = UserRecord(key);
  for (size_t length : {size_t{0}, size_t{10}, doc.size() / 2, doc.size() - 1}) {
    EXPECT_EQ(VerifyUserRecord(key, doc.substr(0, length)).code(), StatusCode::kCorruption)
        << "length " << length;
  }
  EXPECT_EQ(VerifyUserRecord(key, doc + " ").code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace docdb::ycsb
