// docdbd in-process: every command through the client, errors that reach the client as
// they are, pipelining, databases, the socket's protections (docs/server.md,
// docs/protocol.md).
#include "tests/ipc/server_test.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <thread>

#include "common/coding.h"
#include "common/crc32c.h"
#include "ipc/unix_address.h"

namespace docdb {
namespace {

using testing::ClosedByPeer;
using testing::RawConnect;
using testing::RawFrame;
using testing::ReadFrame;
using testing::SendAll;

class ServerTest : public testing::ServerFixture {
 protected:
  void SetUp() override { StartServer(); }
};

TEST_F(ServerTest, EveryDocumentCallRoundTrips) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->server().protocol_version, ipc::kProtocolVersion);
  EXPECT_EQ(client->server().max_document_bytes, options_.db.max_document_bytes);
  auto db = OpenDb(*client, "app");
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->CreateCollection("users").ok());
  EXPECT_EQ(db->CreateCollection("users").code(), StatusCode::kAlreadyExists);

  Result<uint64_t> v1 = db->Insert("users", "alice", R"({ "name" : "Alice" })");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  Result<Document> alice = db->Get("users", "alice");
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(alice->json, R"({"name":"Alice"})");
  EXPECT_EQ(alice->version, *v1);
  EXPECT_EQ(alice->id, "alice");
  EXPECT_EQ(db->Insert("users", "alice", "{}").status().code(), StatusCode::kAlreadyExists);

  Result<Document> generated = db->InsertNew("users", R"({"name":"Gen"})");
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  EXPECT_EQ(generated->id.size(), 26u);
  EXPECT_EQ(db->Get("users", generated->id)->json, R"({"name":"Gen"})");

  ASSERT_TRUE(db->Put("users", "bob", R"({"n":1})").ok());
  ASSERT_TRUE(db->Update("users", "bob", R"({"n":2})").ok());
  EXPECT_EQ(db->Update("users", "nobody", "{}").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(db->Patch("users", "bob", R"([{"op":"add","path":"/tags","value":["x"]}])").ok());
  ASSERT_TRUE(db->MergePatch("users", "bob", R"({"n":3})").ok());
  EXPECT_EQ(db->Get("users", "bob")->json, R"({"n":3,"tags":["x"]})");
  const uint64_t bob_version = db->Get("users", "bob")->version;
  WriteOptions stale;
  stale.expected_version = bob_version - 1;
  EXPECT_EQ(db->Put("users", "bob", "{}", stale).status().code(), StatusCode::kConflict);
  EXPECT_TRUE(*db->Exists("users", "bob"));
  ASSERT_TRUE(db->Delete("users", "bob").ok());
  EXPECT_FALSE(*db->Exists("users", "bob"));
  EXPECT_EQ(db->Get("users", "bob").status().code(), StatusCode::kNotFound);

  WriteBatch batch;
  batch.Put("users", "c1", "1");
  batch.Put("users", "c2", "2");
  ASSERT_TRUE(db->Write(batch).ok());
  WriteBatch failing;
  failing.Put("users", "c3", "3");
  failing.Delete("users", "missing");
  EXPECT_EQ(db->Write(failing).code(), StatusCode::kNotFound);
  EXPECT_FALSE(*db->Exists("users", "c3")) << "an atomic batch that fails leaves nothing";
  EXPECT_EQ(*db->Count("users"), 4u);

  std::vector<CollectionInfo> collections = *db->ListCollections();
  ASSERT_EQ(collections.size(), 2u);
  EXPECT_EQ(collections[1].name, "users");
  EXPECT_EQ(collections[1].document_count, 4u);
  ASSERT_TRUE(db->Checkpoint().ok());
  Result<Stats> stats = db->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->documents, 4u);
  EXPECT_GE(stats->checkpoints, 1u);
  EXPECT_EQ(db->DropCollection("users", false).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db->DropCollection("users", true).ok());
}

TEST_F(ServerTest, ScanPagesThroughMoreThanOneResponse) {
  auto client = Connect();
  auto db = OpenDb(*client);
  constexpr int kDocs = 2500;  // the server answers at most 1000 per response
  WriteBatch batch;
  for (int i = 0; i < kDocs; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "d%05d", i);
    batch.Put("default", id, std::to_string(i));
  }
  ASSERT_TRUE(db->Write(batch).ok());
  Result<std::vector<Document>> all = db->Scan("default", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<size_t>(kDocs));
  for (int i = 0; i < kDocs; ++i) EXPECT_EQ((*all)[i].json, std::to_string(i));
  ScanOptions some;
  some.start = "d00990";
  some.limit = 1500;
  Result<std::vector<Document>> limited = db->Scan("default", some);
  ASSERT_EQ(limited->size(), 1500u);
  EXPECT_EQ(limited->front().id, "d00990");
  EXPECT_EQ(limited->back().id, "d02489");
  ScanOptions prefixed;
  prefixed.prefix = "d0012";
  EXPECT_EQ(db->Scan("default", prefixed)->size(), 10u);
}

TEST_F(ServerTest, WriteAsyncThroughTheClientCallsDoneOncePerBatchInOrder) {
  auto client = Connect();
  auto db = OpenDb(*client);
  constexpr int kBatches = 500;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<uint64_t>> outcomes;
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch b;
    b.Put("default", "counter", std::to_string(i));
    db->WriteAsync(std::move(b), [&](Result<uint64_t> r) {
      std::lock_guard<std::mutex> lock(mu);
      outcomes.push_back(std::move(r));
      cv.notify_all();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return outcomes.size() == kBatches; });
  uint64_t last = 0;
  for (const Result<uint64_t>& r : outcomes) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GT(*r, last) << "one connection's writes commit in order";
    last = *r;
  }
  EXPECT_EQ(db->Get("default", "counter")->json, std::to_string(kBatches - 1));
}

TEST_F(ServerTest, DatabasesAreCreatedListedClosedAndDropped) {
  auto client = Connect();
  ASSERT_NE(OpenDb(*client, "one"), nullptr);
  auto two = OpenDb(*client, "two");
  ASSERT_TRUE(two->Put("default", "x", "1").ok());
  std::vector<DatabaseEntry> dbs = *client->ListDatabases();
  ASSERT_EQ(dbs.size(), 3u);
  EXPECT_EQ(dbs[0].name, "default");
  EXPECT_EQ(dbs[1].name, "one");
  EXPECT_TRUE(dbs[2].open);
  ASSERT_TRUE(client->CloseDatabase("two").ok());
  EXPECT_EQ(client->CloseDatabase("two").code(), StatusCode::kNotFound);
  EXPECT_FALSE((*client->ListDatabases())[2].open);
  // A request to a closed database opens it again.
  EXPECT_EQ(two->Get("default", "x")->json, "1");
  ASSERT_TRUE(client->DropDatabase("two").ok());
  EXPECT_FALSE(std::filesystem::exists(options_.data_dir + "/two"));
  EXPECT_EQ(client->DropDatabase("two").code(), StatusCode::kNotFound);
  EXPECT_EQ(client->ListDatabases()->size(), 2u);
}

TEST_F(ServerTest, DatabaseNamesCannotReachOutsideTheDataDirectory) {
  auto client = Connect();
  const std::vector<std::string> names = {
      "..", "../x", "a/b", ".hidden", "", std::string("a\0b", 3), std::string(65, 'x')};
  for (const std::string& name : names) {
    EXPECT_EQ(client->OpenDatabase(name).status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(client->DropDatabase(name).code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(options_.data_dir + "/../x"));
}

// Sends raw requests; returns the responses by request id.
std::map<uint64_t, ipc::Response> Exchange(int fd, const std::vector<ipc::Request>& requests) {
  std::string frames;
  for (const ipc::Request& r : requests) frames += ipc::EncodeRequest(r);
  SendAll(fd, frames);
  std::map<uint64_t, ipc::Response> out;
  while (out.size() < requests.size()) {
    auto frame = ReadFrame(fd);
    if (!frame) break;
    const auto command = static_cast<ipc::Command>(frame->first.command);
    Result<ipc::Response> r = ipc::DecodeResponse(command, frame->second);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) out.emplace(frame->first.request_id, std::move(*r));
  }
  return out;
}

ipc::Request PutRequest(uint64_t id, const std::string& doc_id, const std::string& json) {
  ipc::Request r;
  r.command = ipc::Command::kPut;
  r.request_id = id;
  r.db = "default";
  r.ops.push_back({ipc::OpType::kPut, "default", doc_id, json, std::nullopt});
  return r;
}

TEST_F(ServerTest, PipelinedRequestsAreAllAnsweredAndMatchedById) {
  const int fd = RawConnect(options_.socket_path);
  ASSERT_GE(fd, 0);
  std::vector<ipc::Request> requests;
  for (uint64_t i = 1; i <= 300; ++i) {
    if (i % 3 == 0) {
      ipc::Request get;
      get.command = ipc::Command::kGet;
      get.request_id = i;
      get.db = "default";
      get.ops.push_back({ipc::OpType::kRead, "default", "k" + std::to_string(i - 1), "", {}});
      requests.push_back(get);
    } else {
      requests.push_back(PutRequest(i, "k" + std::to_string(i), std::to_string(i)));
    }
  }
  std::map<uint64_t, ipc::Response> responses = Exchange(fd, requests);
  ASSERT_EQ(responses.size(), requests.size());
  for (uint64_t i = 1; i <= 300; ++i) {
    const ipc::Response& r = responses.at(i);
    ASSERT_TRUE(r.status.ok()) << i << ": " << r.status.ToString();
    ASSERT_EQ(r.results.size(), 1u);
    // A read sees the write sent before it on the same connection, once that was answered
    // or not: so only its existence is certain when it was acknowledged first.
    if (i % 3 != 0) {
      EXPECT_GT(r.results[0].version, 0u);
    }
  }
  ::close(fd);
}

TEST_F(ServerTest, ExecuteReportsEveryOperationsStatusAndNeverMasksAFailure) {
  const int fd = RawConnect(options_.socket_path);
  ipc::Request exec;
  exec.command = ipc::Command::kExecute;
  exec.request_id = 7;
  exec.db = "default";
  exec.ops = {
      {ipc::OpType::kCreate, "default", "a", R"({"v":1})", {}},
      {ipc::OpType::kRead, "default", "a", "", {}},
      {ipc::OpType::kCreate, "default", "a", "{}", {}},
      {ipc::OpType::kUpdate, "default", "a", "{not json", {}},
      {ipc::OpType::kPatch, "default", "a", R"([{"op":"replace","path":"/v","value":2}])", {}},
      {ipc::OpType::kRead, "default", "a", "", {}},
      {ipc::OpType::kDelete, "default", "zzz", "", {}}};
  ipc::Response r = Exchange(fd, {exec}).at(7);
  ASSERT_EQ(r.results.size(), 7u);
  EXPECT_TRUE(r.results[0].status.ok());
  EXPECT_EQ(r.results[1].json, R"({"v":1})") << "operations run in order";
  EXPECT_EQ(r.results[2].status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(r.results[3].status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(r.results[4].status.ok()) << r.results[4].status.ToString();
  EXPECT_EQ(r.results[5].json, R"({"v":2})");
  EXPECT_EQ(r.results[6].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status.code(), StatusCode::kAlreadyExists) << "the first failure is the batch's";
  EXPECT_NE(r.status.message().find("operation 2"), std::string::npos) << r.status.ToString();

  exec.request_id = 8;
  exec.atomic = true;
  exec.ops = {{ipc::OpType::kPut, "default", "b", "1", {}},
              {ipc::OpType::kDelete, "default", "zzz", "", {}}};
  r = Exchange(fd, {exec}).at(8);
  EXPECT_EQ(r.status.code(), StatusCode::kNotFound);
  for (const ipc::OpResult& op : r.results) EXPECT_EQ(op.status.code(), StatusCode::kNotFound);
  exec.request_id = 9;
  exec.ops = {{ipc::OpType::kRead, "default", "a", "", {}}};
  EXPECT_EQ(Exchange(fd, {exec}).at(9).status.code(), StatusCode::kInvalidArgument)
      << "an atomic execute takes only writes";
  ::close(fd);
  auto client = Connect();
  EXPECT_FALSE(*OpenDb(*client)->Exists("default", "b"));
}

TEST_F(ServerTest, AnUnknownCommandAnswersNotSupportedAndTheConnectionGoesOn) {
  const int fd = RawConnect(options_.socket_path);
  SendAll(fd, RawFrame(999, 50, ""));
  auto unknown = ReadFrame(fd);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->first.request_id, 50u);
  EXPECT_EQ(ipc::DecodeResponse(ipc::Command::kHello, unknown->second)->status.code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(Exchange(fd, {PutRequest(51, "after", "1")}).at(51).status.code(), StatusCode::kOk);
  ::close(fd);
}

struct MalformedCase {
  const char* name;
  std::string bytes;
  std::optional<uint64_t> answered_id;  // the id of the error response, when one is due
};

std::vector<MalformedCase> MalformedCases() {
  std::string bad_magic = RawFrame(15, 3, "");
  bad_magic[0] = 'X';
  std::string bad_crc = RawFrame(15, 4, "");
  bad_crc[12] ^= 1;  // inside the request id: the checksum catches it
  std::string absurd = RawFrame(15, 5, "");
  EncodeFixed32(absurd.data() + 16, 0xFFFFFFF0u);
  EncodeFixed32(absurd.data() + 20, crc32c::Value(absurd.data(), 20));
  std::string truncated_body = RawFrame(15, 6, std::string(100, 'x'));
  truncated_body.resize(ipc::kFrameHeaderBytes + 10);
  return {
      {"bad magic", bad_magic, ipc::kConnectionRequestId},
      {"header checksum mismatch", bad_crc, ipc::kConnectionRequestId},
      {"absurd length", absurd, 5},
      {"garbage body", RawFrame(15, 7, "\xff\xff\xff\xff garbage"), 7},
      {"response flag on a request", RawFrame(15, 8, "", ipc::kFlagResponse), 8},
      {"truncated header", RawFrame(15, 9, "").substr(0, 10), std::nullopt},
      {"truncated body", truncated_body, std::nullopt},
  };
}

TEST_F(ServerTest, MalformedFramesGetAnErrorAndACloseWhileOthersCarryOn) {
  auto good_client = Connect();
  auto good = OpenDb(*good_client);
  for (const MalformedCase& c : MalformedCases()) {
    SCOPED_TRACE(c.name);
    const int fd = RawConnect(options_.socket_path);
    ASSERT_GE(fd, 0);
    SendAll(fd, c.bytes);
    if (c.answered_id) {
      auto frame = ReadFrame(fd);
      ASSERT_TRUE(frame.has_value());
      EXPECT_EQ(frame->first.request_id, *c.answered_id);
      EXPECT_TRUE(frame->first.flags & ipc::kFlagResponse);
      Result<ipc::Response> r = ipc::DecodeResponse(ipc::Command::kHello, frame->second);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->status.code(), StatusCode::kInvalidArgument) << r->status.ToString();
      EXPECT_TRUE(ClosedByPeer(fd));
    } else {
      // Half a frame: the server waits for the rest; the client going away ends it.
      ::shutdown(fd, SHUT_WR);
      EXPECT_TRUE(ClosedByPeer(fd));
    }
    ::close(fd);
    const std::string json = "\"" + std::string(c.name) + "\"";
    ASSERT_TRUE(good->Put("default", "still", json).ok());
    EXPECT_EQ(good->Get("default", "still")->json, json);
  }
  EXPECT_GE(server_->counters().protocol_errors, 5u);
}

TEST_F(ServerTest, RandomBytesNeverStopTheServer) {
  auto good_client = Connect();
  auto good = OpenDb(*good_client);
  uint64_t seed = 0x5eed;
  const auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(seed >> 33);
  };
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + " of seed 0x5eed");
    const int fd = RawConnect(options_.socket_path);
    ASSERT_GE(fd, 0);
    // Half the rounds start with a sound header, so that the body decoders are reached.
    std::string bytes;
    const size_t body_bytes = next() % 64;
    std::string body;
    for (size_t i = 0; i < body_bytes; ++i) body.push_back(static_cast<char>(next()));
    if (round % 2 == 0) bytes = RawFrame(static_cast<uint16_t>(1 + next() % 31), 1, body);
    for (size_t i = 0, n = next() % 64; i < n; ++i) bytes.push_back(static_cast<char>(next()));
    SendAll(fd, bytes);
    ::shutdown(fd, SHUT_WR);
    EXPECT_TRUE(ClosedByPeer(fd));
    ::close(fd);
    if (round % 20 == 0) {
      ASSERT_TRUE(good->Put("default", "k", std::to_string(round)).ok());
    }
  }
  EXPECT_EQ(good->Get("default", "k")->json, "180");
}

TEST_F(ServerTest, AClientPipeliningPastTheInFlightLimitIsSlowedNotRefused) {
  StopServer();
  options_.max_in_flight_per_connection = 4;
  StartServer();
  const int fd = RawConnect(options_.socket_path);
  std::vector<ipc::Request> requests;
  for (uint64_t i = 1; i <= 200; ++i) {
    requests.push_back(PutRequest(i, "k" + std::to_string(i % 7), std::to_string(i)));
  }
  std::map<uint64_t, ipc::Response> responses = Exchange(fd, requests);
  ASSERT_EQ(responses.size(), requests.size());
  for (const auto& [id, r] : responses) EXPECT_TRUE(r.status.ok()) << id;
  ::close(fd);
}

TEST_F(ServerTest, SlowAndIdleClientsAreClosed) {
  StopServer();
  options_.slow_client_timeout_ms = 100;
  options_.idle_timeout_ms = 300;
  StartServer();
  const int half_frame = RawConnect(options_.socket_path);
  SendAll(half_frame, RawFrame(15, 1, std::string(100, 'x')).substr(0, 40));
  const int idle = RawConnect(options_.socket_path);
  EXPECT_TRUE(ClosedByPeer(half_frame));
  EXPECT_TRUE(ClosedByPeer(idle));
  ::close(half_frame);
  ::close(idle);
  EXPECT_TRUE(logger_->Contains("slow client: a frame left incomplete"));
  EXPECT_TRUE(logger_->Contains("idle timeout"));
}

TEST_F(ServerTest, ASecondServerOnTheSameDataDirectoryIsRefused) {
  ipc::ServerOptions second = options_;
  second.socket_path = socket_dir_.path() + "/other.sock";
  Result<std::unique_ptr<ipc::Server>> s = ipc::Server::Start(second, logger_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kBusy);
  EXPECT_NE(s.status().message().find("in use by another docdbd"), std::string::npos)
      << s.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(second.socket_path));
}

TEST_F(ServerTest, ALiveSocketIsNeverReplacedAndAStaleOneIs) {
  testing::TempDir other_dir;
  ipc::ServerOptions second = options_;
  second.data_dir = other_dir.Join("data");
  Result<std::unique_ptr<ipc::Server>> s = ipc::Server::Start(second, logger_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kBusy);
  EXPECT_NE(s.status().message().find("already answering"), std::string::npos);
  auto client = Connect();
  EXPECT_TRUE(OpenDb(*client)->Put("default", "x", "1").ok()) << "the first server is unharmed";

  // A socket file nobody listens on (a server that was killed) is replaced.
  client.reset();
  StopServer();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr = *ipc::UnixAddress(options_.socket_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(options_.socket_path));
  StartServer();
  client = Connect();
  EXPECT_EQ(OpenDb(*client)->Get("default", "x")->json, "1");
}

TEST_F(ServerTest, SocketIsOwnerOnlyAndPeersAreLogged) {
  struct stat st {};
  ASSERT_EQ(::stat(options_.socket_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(options_.data_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(logger_->Contains("from pid " + std::to_string(::getpid()) + " uid " +
                                std::to_string(::getuid())));
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreRefusedWithBusy) {
  StopServer();
  options_.max_connections = 2;
  StartServer();
  auto a = Connect();
  auto b = Connect();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ClientOptions options;
  options.socket_path = options_.socket_path;
  Result<std::unique_ptr<Client>> c = Client::Connect(options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kBusy) << c.status().ToString();
  EXPECT_EQ(server_->counters().connections_refused, 1u);
  EXPECT_TRUE(OpenDb(*a)->Put("default", "x", "1").ok()) << "the clients let in are served";
}

TEST_F(ServerTest, ShutdownAnswersRequestsInFlightAndRemovesTheSocket) {
  auto client = Connect();
  auto db = OpenDb(*client);
  std::atomic<int> answered{0};
  std::atomic<int> acknowledged{0};
  std::mutex mu;
  std::vector<std::string> acked_ids;
  constexpr int kWrites = 2000;
  for (int i = 0; i < kWrites; ++i) {
    WriteBatch b;
    b.Put("default", "w" + std::to_string(i), std::to_string(i));
    db->WriteAsync(std::move(b), [&, i](Result<uint64_t> r) {
      if (r.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        acked_ids.push_back("w" + std::to_string(i));
        acknowledged.fetch_add(1);
      } else {
        EXPECT_TRUE(r.status().code() == StatusCode::kAborted ||
                    r.status().code() == StatusCode::kUnavailable)
            << r.status().ToString();
      }
      answered.fetch_add(1);
    });
  }
  server_->Shutdown();
  EXPECT_FALSE(std::filesystem::exists(options_.socket_path));
  // Every request was answered or failed: the client's connection is closed now.
  db.reset();
  client.reset();
  EXPECT_EQ(answered.load(), kWrites);
  server_.reset();
  StartServer();
  client = Connect();
  db = OpenDb(*client);
  for (const std::string& id : acked_ids) ASSERT_TRUE(*db->Exists("default", id)) << id;
}

}  // namespace
}  // namespace docdb
