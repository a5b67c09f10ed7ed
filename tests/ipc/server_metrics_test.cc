// docdbd's metrics and health endpoints (docs/observability.md): /metrics over HTTP and
// the Metrics command over the socket give the same series, promtool accepts both, a
// scrape changes nothing, protocol errors count as network errors, and /readyz answers
// 503 once a database it needs is gone.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "ipc/protocol.h"
#include "tests/ipc/server_test.h"
#include "tests/support/exposition.h"

namespace docdb {
namespace {

using testing::SeriesValue;

struct HttpReply {
  int status = 0;
  std::string body;
};

// One GET on 127.0.0.1:`port`; status 0 when it fails.
HttpReply HttpGet(uint16_t port, const std::string& path) {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return reply;
  }
  testing::SendAll(fd, "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;  // the HTTP server's threads signal each other
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.body = raw.substr(head_end + 4);
  return reply;
}

class ServerMetricsTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    options_.metrics_listen = "127.0.0.1:0";  // any free port: tests run side by side
    StartServer();
  }

  std::string Scrape() {
    const HttpReply reply = HttpGet(server_->metrics_port(), "/metrics");
    EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 300);
    return reply.body;
  }
  // The exposer's own series count the scrapes themselves; DocDB's are what is compared.
  std::string ScrapeDocdb() { return testing::WithoutSeries(Scrape(), "exposer_"); }
};

TEST_F(ServerMetricsTest, HttpAndSocketExpositionsPassPromtoolAndCountTheWorkload) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto db = OpenDb(*client, "app");
  ASSERT_TRUE(db->Put("default", "a", R"({"n":1})").ok());
  ASSERT_TRUE(db->Get("default", "a").ok());
  EXPECT_EQ(db->Get("default", "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db->Put("default", "bad", "{oops").status().code(), StatusCode::kInvalidArgument);

  const std::string http = Scrape();
  Result<std::string> socket = db->Metrics();
  ASSERT_TRUE(socket.ok()) << socket.status().ToString();
  const std::string& socket_text = *socket;
  for (const std::string* text : {&http, &socket_text}) {
    EXPECT_EQ(testing::PromtoolFindings(*text), "");
    EXPECT_EQ(testing::RepeatedSeries(*text), std::vector<std::string>{});
    EXPECT_EQ(SeriesValue(*text, R"(docdb_operations_total{db="app",operation="put",status="ok"})"),
              1);
    EXPECT_EQ(SeriesValue(*text,
                          R"(docdb_operations_total{db="app",operation="get",status="not_found"})"),
              1);
    EXPECT_EQ(SeriesValue(*text, R"(docdb_errors_total{db="app",category="validation"})"), 1);
    EXPECT_EQ(SeriesValue(*text, R"(docdb_documents{db="app"})"), 1);
    EXPECT_EQ(SeriesValue(*text, R"(docdb_documents{db="default"})"), 0) << "every open database";
    EXPECT_EQ(SeriesValue(*text, "docdb_connections"), 1);
    EXPECT_EQ(SeriesValue(*text, "docdb_requests_in_flight"), 0) << "a scrape is not counted";
    EXPECT_GE(*SeriesValue(*text, R"(docdb_request_duration_seconds_count{command="put"})"), 2);
  }
  EXPECT_EQ(testing::WithoutSeries(http, "exposer_"), *socket) << "the same series either way";
}

TEST_F(ServerMetricsTest, TwoScrapesWithNothingInBetweenAreIdentical) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto db = OpenDb(*client);
  ASSERT_TRUE(db->Put("default", "a", "1").ok());
  const std::string first = ScrapeDocdb();
  EXPECT_EQ(ScrapeDocdb(), first);
  const Result<std::string> socket = db->Metrics();
  ASSERT_TRUE(socket.ok());
  EXPECT_EQ(*db->Metrics(), *socket) << "a Metrics request counts nothing";
  EXPECT_EQ(*socket, first);
}

TEST_F(ServerMetricsTest, AMalformedFrameCountsAsANetworkError) {
  EXPECT_EQ(SeriesValue(ScrapeDocdb(), R"(docdb_errors_total{category="network"})"), 0);
  const int fd = testing::RawConnect(options_.socket_path);
  std::string bad = testing::RawFrame(15, 3, "");
  bad[0] = 'X';
  testing::SendAll(fd, bad);
  EXPECT_TRUE(testing::ClosedByPeer(fd));
  ::close(fd);
  const std::string text = ScrapeDocdb();
  EXPECT_EQ(SeriesValue(text, R"(docdb_errors_total{category="network"})"), 1);
  EXPECT_GE(*SeriesValue(text, "docdb_connections_accepted_total"), 1);
}

TEST_F(ServerMetricsTest, HealthzAnswersWhileRunningAndReadyzNamesWhatIsMissing) {
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/healthz").status, 200);
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/readyz").status, 200);
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->CloseDatabase("default").ok());
  const HttpReply not_ready = HttpGet(server_->metrics_port(), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("database 'default' is not open"), std::string::npos)
      << not_ready.body;
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/healthz").status, 200);
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/nothing-here").status, 404);
}

TEST_F(ServerMetricsTest, AnAddressInUseFailsTheStartAndNamesIt) {
  ipc::ServerOptions second = options_;
  second.data_dir = dir_.Join("second");
  second.socket_path = socket_dir_.path() + "/second.sock";
  second.metrics_listen = "127.0.0.1:" + std::to_string(server_->metrics_port());
  Result<std::unique_ptr<ipc::Server>> started = ipc::Server::Start(second, logger_);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find(second.metrics_listen), std::string::npos)
      << started.status().ToString();
}

}  // namespace
}  // namespace docdb
