// A client's connection to docdbd (ipc/client_connection.h, docs/client.md).
#include "ipc/client_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>

#include "common/status_macros.h"
#include "ipc/unix_address.h"

namespace docdb::ipc {
namespace {

Status Lost(const std::string& what, int err) {
  // The errno's text is added by Status::ToString.
  return Status::Unavailable("connection to docdbd lost: " + what, err);
}

// Reads exactly n bytes; false on end of file or error (errno set, 0 for end of file).
bool ReadFully(int fd, char* dst, size_t n) {
  while (n > 0) {
    const ssize_t r = ::recv(fd, dst, n, 0);
    if (r > 0) {
      dst += r;
      n -= static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) errno = 0;
    return false;
  }
  return true;
}

Result<int> ConnectSocket(const ClientOptions& options) {
  const std::string& path = options.socket_path;
  DOCDB_ASSIGN_OR_RETURN(const sockaddr_un addr, UnixAddress(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IoError("socket", errno);
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EAGAIN) {
    // The server's backlog is full: wait for it to take the connection.
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, static_cast<int>(options.connect_timeout_ms)) == 1 ? 0 : -1;
    if (rc != 0) errno = ETIMEDOUT;
  }
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable("cannot connect to docdbd at " + path, err);
  }
  // Blocking from here on: the reader thread waits in recv, writers in send.
  ::fcntl(fd, F_SETFL, 0);
  return fd;
}

}  // namespace

Result<std::shared_ptr<ClientConnection>> ClientConnection::Connect(const ClientOptions& options) {
  DOCDB_ASSIGN_OR_RETURN(const int fd, ConnectSocket(options));
  std::shared_ptr<ClientConnection> conn(new ClientConnection(fd, options));
  Request hello;
  hello.command = Command::kHello;
  hello.client_version = kProtocolVersion;
  hello.client_name = options.client_name;
  DOCDB_ASSIGN_OR_RETURN(Response r, conn->Call(std::move(hello)));
  if (!r.status.ok()) return r.status;
  if (r.hello.protocol_version != kProtocolVersion) {
    return Status::NotSupported("docdbd speaks protocol version " +
                                std::to_string(r.hello.protocol_version) + ", this client " +
                                std::to_string(kProtocolVersion));
  }
  conn->server_ = {r.hello.server_version,       r.hello.protocol_version,
                   r.hello.max_frame_body_bytes, r.hello.max_in_flight_per_connection,
                   r.hello.max_document_bytes,   r.hello.uptime_ms};
  return conn;
}

ClientConnection::ClientConnection(int fd, ClientOptions options)
    : fd_(fd), options_(std::move(options)) {
  reader_ = std::thread([this] { ReadResponses(); });
}

ClientConnection::~ClientConnection() {
  ::shutdown(fd_, SHUT_RDWR);
  reader_.join();
  ::close(fd_);
}

void ClientConnection::CallAsync(Request request, Callback done) {
  Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (broken_.ok()) {
      request.request_id = next_id_++;
      pending_.emplace(request.request_id, Pending{request.command, std::move(done)});
    } else {
      refused = broken_;
    }
  }
  if (!refused.ok()) {
    done(std::move(refused));
    return;
  }
  const std::string frame = EncodeRequest(request);
  std::lock_guard<std::mutex> lock(write_mu_);
  size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // The server may have closed the connection with a reason, which the reader still
    // has to read: it fails every request, this one included, when it reaches the end.
    ::shutdown(fd_, SHUT_WR);
    return;
  }
}

Result<Response> ClientConnection::Call(Request request) {
  auto promise = std::make_shared<std::promise<Result<Response>>>();
  std::future<Result<Response>> future = promise->get_future();
  CallAsync(std::move(request),
            [promise](Result<Response> r) { promise->set_value(std::move(r)); });
  if (options_.request_timeout_ms == 0) return future.get();
  if (future.wait_for(std::chrono::milliseconds(options_.request_timeout_ms)) ==
      std::future_status::ready) {
    return future.get();
  }
  // The connection's order of responses is lost with this one: close it for everyone.
  Break(Status::Unavailable("docdbd did not answer within " +
                            std::to_string(options_.request_timeout_ms) + " ms"));
  ::shutdown(fd_, SHUT_RDWR);
  return future.get();
}

void ClientConnection::Break(const Status& why) {
  std::map<uint64_t, Pending> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (broken_.ok()) broken_ = why;
    failed.swap(pending_);
  }
  for (auto& [id, p] : failed) p.done(why);
}

void ClientConnection::ReadResponses() {
  std::string header(kFrameHeaderBytes, '\0');
  std::string body;
  for (;;) {
    if (!ReadFully(fd_, header.data(), header.size())) {
      Break(errno == 0 ? Status::Unavailable("docdbd closed the connection") : Lost("recv", errno));
      return;
    }
    Result<FrameHeader> h = DecodeFrameHeader(header);
    if (!h.ok()) {
      Break(Status::Unavailable("docdbd sent a bad frame: " + h.status().ToString()));
      return;
    }
    body.resize(h->body_length);
    if (!ReadFully(fd_, body.data(), body.size())) {
      Break(Lost("recv", errno == 0 ? ECONNRESET : errno));
      return;
    }
    if (h->request_id == kConnectionRequestId) {
      // The server's word on the whole connection, just before it closes it.
      Result<Response> r = DecodeResponse(Command::kHello, body);
      Break(r.ok() && !r->status.ok() ? r->status
                                      : Status::Unavailable("docdbd closed the connection"));
      return;
    }
    Pending p;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(h->request_id);
      if (it == pending_.end()) continue;  // its caller gave up waiting
      p = std::move(it->second);
      pending_.erase(it);
    }
    p.done(DecodeResponse(p.command, body));
  }
}

}  // namespace docdb::ipc
