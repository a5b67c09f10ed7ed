// Test support for docdbd (tests/ipc/server_test.h).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ipc/unix_address.h"
#include "tests/ipc/server_test.h"

namespace docdb::testing {
namespace {

constexpr int kWaitMs = 10000;

// Reads exactly n bytes, waiting at most kWaitMs for each piece; false on close or time.
bool ReadExactly(int fd, char* dst, size_t n) {
  while (n > 0) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) != 1) return false;
    const ssize_t r = ::recv(fd, dst, n, 0);
    if (r <= 0) return false;
    dst += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

void CapturingLogger::Log(LogLevel, std::string_view, std::string_view message) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.emplace_back(message);
}

bool CapturingLogger::Contains(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& line : lines_) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

ShortDir::ShortDir() {
  std::string templ = "/tmp/ddb-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) std::abort();
  path_ = templ;
}

ShortDir::~ShortDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ServerFixture::ServerFixture() {
  options_.data_dir = dir_.Join("data");
  options_.socket_path = socket_dir_.path() + "/s.sock";
  // Off unless a test is about it: stopping the HTTP server takes up to 2 s.
  options_.metrics_listen = "";
}

void ServerFixture::TearDown() { StopServer(); }

void ServerFixture::StartServer() {
  Result<std::unique_ptr<ipc::Server>> server = ipc::Server::Start(options_, logger_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(*server);
}

void ServerFixture::StopServer() {
  if (server_) server_->Shutdown();
  server_.reset();
}

std::unique_ptr<Client> ServerFixture::Connect() {
  ClientOptions options;
  options.socket_path = options_.socket_path;
  Result<std::unique_ptr<Client>> client = Client::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(*client) : nullptr;
}

std::unique_ptr<DB> ServerFixture::OpenDb(Client& client, const std::string& name) {
  Result<std::unique_ptr<DB>> db = client.OpenDatabase(name);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

int RawConnect(const std::string& socket_path) {
  Result<sockaddr_un> addr = ipc::UnixAddress(socket_path);
  if (!addr.ok()) return -1;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: what follows tells
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::optional<std::pair<ipc::FrameHeader, std::string>> ReadFrame(int fd) {
  std::string header(ipc::kFrameHeaderBytes, '\0');
  if (!ReadExactly(fd, header.data(), header.size())) return std::nullopt;
  Result<ipc::FrameHeader> h = ipc::DecodeFrameHeader(header);
  if (!h.ok()) {
    ADD_FAILURE() << "the server sent a bad frame header: " << h.status().ToString();
    return std::nullopt;
  }
  std::string body(h->body_length, '\0');
  if (!ReadExactly(fd, body.data(), body.size())) return std::nullopt;
  return std::make_pair(*h, std::move(body));
}

bool ClosedByPeer(int fd) {
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) != 1) return false;
    const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r == 0) return true;
    if (r < 0) return errno == ECONNRESET;
  }
}

std::string RawFrame(uint16_t command, uint64_t request_id, std::string_view body, uint8_t flags) {
  ipc::FrameHeader h;
  h.command = command;
  h.request_id = request_id;
  h.flags = flags;
  h.body_length = static_cast<uint32_t>(body.size());
  std::string frame(ipc::kFrameHeaderBytes, '\0');
  ipc::EncodeFrameHeader(h, frame.data());
  frame += body;
  return frame;
}

}  // namespace docdb::testing
