// 64 clients at once against one docdbd, each checking every answer against a model of
// what it wrote, and all of them patching shared documents (docs/server.md).
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/ipc/server_test.h"

namespace docdb {
namespace {

class ServerConcurrencyTest : public testing::ServerFixture {
 protected:
  void SetUp() override { StartServer(); }
};

constexpr int kClients = 64;
constexpr int kOpsPerClient = 150;
constexpr int kKeysPerClient = 12;
constexpr int kSharedDocs = 4;

// One client's run: random operations on its own documents, checked against its model,
// and appends of its own marks to the shared documents' arrays.
void RunClient(const std::string& socket_path, int client_id, uint64_t seed,
               std::map<std::string, std::string>* model, std::vector<std::string>* marks) {
  ClientOptions options;
  options.socket_path = socket_path;
  Result<std::unique_ptr<Client>> client = Client::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Result<std::unique_ptr<DB>> opened = (*client)->OpenDatabase("default");
  ASSERT_TRUE(opened.ok());
  DB& db = **opened;
  std::mt19937_64 rng(seed);
  const auto key = [&](uint64_t k) {
    return "c" + std::to_string(client_id) + "-" + std::to_string(k % kKeysPerClient);
  };
  for (int op = 0; op < kOpsPerClient; ++op) {
    const std::string id = key(rng());
    const std::string value =
        "{\"c\":" + std::to_string(client_id) + ",\"op\":" + std::to_string(op) + "}";
    const bool exists = model->count(id) > 0;
    switch (rng() % 7) {
      case 0: {
        ASSERT_TRUE(db.Put("default", id, value).ok());
        (*model)[id] = value;
        break;
      }
      case 1: {
        Result<Document> doc = db.Get("default", id);
        if (exists) {
          ASSERT_TRUE(doc.ok()) << id << ": " << doc.status().ToString();
          EXPECT_EQ(doc->json, (*model)[id]);
        } else {
          EXPECT_EQ(doc.status().code(), StatusCode::kNotFound) << id;
        }
        break;
      }
      case 2: {
        const Result<uint64_t> deleted = db.Delete("default", id);
        EXPECT_EQ(deleted.status().code(), exists ? StatusCode::kOk : StatusCode::kNotFound);
        model->erase(id);
        break;
      }
      case 3: {
        // An atomic batch of two of its documents.
        const std::string other = key(rng());
        WriteBatch batch;
        batch.Put("default", id, value);
        batch.Put("default", other, "[" + value + "]");
        ASSERT_TRUE(db.Write(batch).ok());
        (*model)[id] = value;
        (*model)[other] = "[" + value + "]";
        break;
      }
      case 4: {
        const Result<uint64_t> patched =
            db.MergePatch("default", id, R"({"merged":)" + std::to_string(op) + "}");
        if (!exists) {
          EXPECT_EQ(patched.status().code(), StatusCode::kNotFound);
          break;
        }
        ASSERT_TRUE(patched.ok()) << patched.status().ToString();
        (*model)[id] = db.Get("default", id)->json;
        EXPECT_NE((*model)[id].find("\"merged\":" + std::to_string(op)), std::string::npos)
            << (*model)[id];
        break;
      }
      default: {
        const std::string mark = std::to_string(client_id) + "/" + std::to_string(op);
        const std::string shared = "shared" + std::to_string(rng() % kSharedDocs);
        const Result<uint64_t> appended = db.Patch(
            "default", shared, R"([{"op":"add","path":"/marks/-","value":")" + mark + "\"}]");
        ASSERT_TRUE(appended.ok()) << appended.status().ToString();
        marks->push_back(mark);
        break;
      }
    }
  }
}

TEST_F(ServerConcurrencyTest, SixtyFourClientsEachSeeExactlyTheirModel) {
  {
    auto client = Connect();
    auto db = OpenDb(*client);
    for (int s = 0; s < kSharedDocs; ++s) {
      ASSERT_TRUE(db->Put("default", "shared" + std::to_string(s), R"({"marks":[]})").ok());
    }
  }
  std::vector<std::map<std::string, std::string>> models(kClients);
  std::vector<std::vector<std::string>> marks(kClients);
  std::vector<std::thread> threads;
  const uint64_t seed = 20261201;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back(RunClient, options_.socket_path, c, seed + c, &models[c], &marks[c]);
  }
  for (std::thread& t : threads) t.join();
  SCOPED_TRACE("seed " + std::to_string(seed));

  auto client = Connect();
  auto db = OpenDb(*client);
  std::map<std::string, std::string> expected;
  for (const auto& m : models) expected.insert(m.begin(), m.end());
  Result<std::vector<Document>> all = db->Scan("default", {});
  ASSERT_TRUE(all.ok());
  std::map<std::string, std::string> found;
  std::multiset<std::string> found_marks;
  for (const Document& d : *all) {
    if (d.id.rfind("shared", 0) == 0) {
      // Every acknowledged append is in exactly one shared document, exactly once. The
      // marks are quoted "client/op" strings in {"marks":[...]}.
      const size_t open = d.json.find('[');
      std::string list = d.json.substr(open + 1, d.json.rfind(']') - open - 1);
      for (size_t start = 0; start < list.size();) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        found_marks.insert(list.substr(start + 1, end - start - 2));
        start = end + 1;
      }
      continue;
    }
    found[d.id] = d.json;
  }
  EXPECT_EQ(found, expected);
  std::multiset<std::string> all_marks;
  for (const auto& m : marks) all_marks.insert(m.begin(), m.end());
  EXPECT_EQ(found_marks, all_marks);
}

}  // namespace
}  // namespace docdb
