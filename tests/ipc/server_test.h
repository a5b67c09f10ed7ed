// Test support for docdbd: a server on a temporary directory and short socket path, and
// raw-socket helpers for tests that speak the protocol byte by byte.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "docdb/client.h"
#include "docdb/logger.h"
#include "ipc/protocol.h"
#include "ipc/server.h"
#include "tests/support/temp_dir.h"

namespace docdb::testing {

// Keeps what the server logs, so that tests can look for a line.
class CapturingLogger : public Logger {
 public:
  void Log(LogLevel level, std::string_view event, std::string_view message) override;
  bool Contains(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// A directory with a path short enough for a socket (sun_path holds 107 bytes).
class ShortDir {
 public:
  ShortDir();
  ~ShortDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ServerFixture : public ::testing::Test {
 protected:
  ServerFixture();
  void TearDown() override;

  void StartServer();
  void StopServer();
  std::unique_ptr<Client> Connect();
  std::unique_ptr<DB> OpenDb(Client& client, const std::string& name = "default");

  ipc::ServerOptions options_;
  std::shared_ptr<CapturingLogger> logger_ = std::make_shared<CapturingLogger>();
  TempDir dir_;
  ShortDir socket_dir_;
  std::unique_ptr<ipc::Server> server_;
};

// A raw, blocking connection to the server's socket; -1 on failure.
int RawConnect(const std::string& socket_path);
void SendAll(int fd, std::string_view bytes);
// The next frame, or nullopt when the connection closes first (or nothing comes in 10 s).
std::optional<std::pair<ipc::FrameHeader, std::string>> ReadFrame(int fd);
// True when the server closes the connection (after any frames it still sends) within
// 10 s.
bool ClosedByPeer(int fd);
// A frame with a given header and body; the header's checksum is right.
std::string RawFrame(uint16_t command, uint64_t request_id, std::string_view body,
                     uint8_t flags = 0);

}  // namespace docdb::testing
