// Reads of documents whose data segment page cannot be read through its memory mapping
// (the file cut short underneath it, or a media error): an error for that document, and a
// database that keeps serving the others.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "docdb/db.h"
#include "io/file_names.h"
#include "io/segment_format.h"
#include "tests/support/temp_dir.h"

namespace docdb {
namespace {

std::string Id(int i) { return "d" + std::to_string(i); }

TEST(DBMappedReadTest, GetOfADocumentOnATruncatedSegmentIsAnErrorAndOthersStillRead) {
  testing::TempDir dir;
  Options options;
  options.data_segment_size_bytes = 512 * 1024;
  Result<std::unique_ptr<DB>> db = DB::Open(dir.path(), options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  // About 4 KiB per document: 200 of them fill segment 1 and spill into segment 2, and
  // document 100 lies past the first 256 KiB of segment 1.
  const std::string body = "\"" + std::string(4000, 'x') + "\"";
  constexpr int kDocs = 200;
  for (int i = 0; i < kDocs; ++i) ASSERT_TRUE((*db)->Put("default", Id(i), body).ok());
  std::filesystem::resize_file(io::DataSegmentPath(io::DataDirPath(dir.path()), 1),
                               io::kSegmentHeaderBytes);

  const Result<Document> lost = (*db)->Get("default", Id(100));
  EXPECT_EQ(lost.status().code(), StatusCode::kIoError) << lost.status().ToString();
  EXPECT_NE(lost.status().message().find(io::DataSegmentFileName(1)), std::string::npos)
      << lost.status().ToString();
  EXPECT_NE(lost.status().message().find(Id(100)), std::string::npos) << lost.status().ToString();

  const Result<Document> kept = (*db)->Get("default", Id(kDocs - 1));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->json, body);
  ASSERT_TRUE((*db)->Put("default", "after", "[1]").ok());
  const Result<Document> after = (*db)->Get("default", "after");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->json, "[1]");
}

}  // namespace
}  // namespace docdb
