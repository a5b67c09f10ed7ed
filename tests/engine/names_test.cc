#include "engine/names.h"

#include <gtest/gtest.h>

#include <set>

namespace docdb::engine {
namespace {

TEST(NamesTest, CollectionNameRules) {
  for (const char* ok : {"default", "a", "Users_2024.v-1", "x.y"}) {
    EXPECT_TRUE(ValidateCollectionName(ok).ok()) << ok;
  }
  EXPECT_TRUE(ValidateCollectionName(std::string(64, 'n')).ok());
  for (std::string bad : {std::string(), std::string(65, 'n'), std::string(".hidden"),
                          std::string("a b"), std::string("a/b"), std::string("é")}) {
    Status s = ValidateCollectionName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(NamesTest, DocumentIdRules) {
  EXPECT_TRUE(ValidateDocumentId("user-1").ok());
  EXPECT_TRUE(ValidateDocumentId("ünïcødé ✓").ok());
  EXPECT_TRUE(ValidateDocumentId(std::string(255, 'i')).ok());
  EXPECT_FALSE(ValidateDocumentId("").ok());
  EXPECT_FALSE(ValidateDocumentId(std::string(256, 'i')).ok());
  EXPECT_FALSE(ValidateDocumentId(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(ValidateDocumentId("tab\there").ok());
  EXPECT_FALSE(ValidateDocumentId("\x7f").ok());
  EXPECT_FALSE(ValidateDocumentId("\xc2\x85").ok()) << "U+0085 is a C1 control";
  EXPECT_FALSE(ValidateDocumentId("\xc0\xaf").ok()) << "overlong";
  EXPECT_FALSE(ValidateDocumentId("\xed\xa0\x80").ok()) << "surrogate";
  EXPECT_FALSE(ValidateDocumentId("\xe2\x82").ok()) << "truncated";
}

TEST(NamesTest, KeysSortByCollectionThenId) {
  EXPECT_LT(DocumentKey(1, "zzz"), DocumentKey(2, "a"));
  EXPECT_LT(DocumentKey(2, "a"), DocumentKey(2, "ab"));
  EXPECT_LT(DocumentKey(255, "z"), DocumentKey(256, ""));
  EXPECT_GE(DocumentKey(3, "x"), CollectionKeyPrefix(3));
  EXPECT_LT(DocumentKey(3, std::string(255, '\xff')), CollectionKeyEnd(3));
  EXPECT_EQ(DocumentIdOfKey(DocumentKey(3, "doc")), "doc");
}

TEST(NamesTest, AKeyBuiltInPlaceIsTheKey) {
  for (uint64_t collection : {0ull, 1ull, 0x0102030405060708ull, ~0ull}) {
    for (const std::string& id :
         {std::string("a"), std::string("doc-17"), std::string(255, '\xff')}) {
      EXPECT_EQ(DocumentKeyBuffer(collection, id).view(), DocumentKey(collection, id));
    }
  }
}

TEST(NamesTest, GeneratedIdsAreUniqueAndIncreasing) {
  DocumentIdGenerator gen(1);
  std::string last;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = gen.Next();
    ASSERT_EQ(id.size(), 26u);
    ASSERT_GT(id, last);
    ASSERT_TRUE(ValidateDocumentId(id).ok());
    last = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace docdb::engine
