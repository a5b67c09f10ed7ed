// docdb-load's connections and event loop (load_generator.h).
#include "bench/server/load_generator.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/status_macros.h"
#include "ipc/unix_address.h"

namespace docdb::serverbench {
namespace {

constexpr size_t kReadChunkBytes = 64 << 10;
// How long epoll_wait may block before the loop checks the clock (the deadline of a
// timed phase, the drain timeout); it returns at once when a reply arrives.
constexpr int kWaitSliceMs = 100;

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

Status Lost(const std::string& what, int err) {
  return Status::Unavailable("connection to docdbd lost: " + what + ": " + std::strerror(err), err);
}

// Blocking I/O for the greeting, before the socket turns non-blocking.
Status SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Lost("send", errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

Status RecvAll(int fd, char* dst, size_t n) {
  while (n > 0) {
    const ssize_t r = ::recv(fd, dst, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Status::Unavailable("docdbd closed the connection");
    if (r < 0) return Lost("recv", errno);
    dst += r;
    n -= static_cast<size_t>(r);
  }
  return Status::OK();
}

Result<int> ConnectSocket(const std::string& path) {
  DOCDB_ASSIGN_OR_RETURN(const sockaddr_un addr, ipc::UnixAddress(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno), errno);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable("cannot connect to docdbd at " + path + ": " + std::strerror(err),
                               err);
  }
  return fd;
}

ipc::Request SingleDocumentRequest(ipc::Command command, ipc::OpType type, const LoadTarget& t,
                                   std::string json) {
  ipc::Request r;
  r.command = command;
  r.db = t.db;
  r.ops.push_back({type, t.collection, "", std::move(json), std::nullopt});
  return r;
}

}  // namespace

std::string UserKey(uint64_t keynum) {
  constexpr size_t kDigits = 12;
  const std::string digits = std::to_string(keynum);
  return "user" + std::string(kDigits - std::min(kDigits, digits.size()), '0') + digits;
}

struct LoadGenerator::Connection {
  int fd = -1;
  std::string in;
  size_t in_start = 0;  // the first byte not parsed yet
  std::string out;
  size_t out_start = 0;  // the first byte not sent yet
  bool watching_writes = false;
  std::unordered_map<uint64_t, Sent> in_flight;

  size_t pending_output() const { return out.size() - out_start; }
};

LoadGenerator::LoadGenerator(const LoadTarget& target)
    : target_(target),
      read_buffer_(kReadChunkBytes),
      rng_(target.seed),
      key_distribution_(0, target.records - 1),
      put_template_(
          SingleDocumentRequest(ipc::Command::kPut, ipc::OpType::kPut, target, target.document)),
      get_template_(SingleDocumentRequest(ipc::Command::kGet, ipc::OpType::kRead, target, "")) {}

LoadGenerator::~LoadGenerator() {
  for (auto& c : connections_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Result<std::unique_ptr<LoadGenerator>> LoadGenerator::Connect(const LoadTarget& target) {
  if (target.connections == 0 || target.records == 0) {
    return Status::InvalidArgument("a load needs at least one connection and one record");
  }
  std::unique_ptr<LoadGenerator> gen(new LoadGenerator(target));
  gen->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (gen->epoll_fd_ < 0) return Status::IoError("epoll_create1", errno);
  for (uint32_t i = 0; i < target.connections; ++i) {
    auto c = std::make_unique<Connection>();
    DOCDB_ASSIGN_OR_RETURN(c->fd, ConnectSocket(target.socket_path));
    Connection* conn = c.get();
    gen->connections_.push_back(std::move(c));
    DOCDB_RETURN_IF_ERROR(gen->Greet(conn).WithContext("connection " + std::to_string(i)));
    // Non-blocking from here on: the event loop never waits on one connection.
    if (::fcntl(conn->fd, F_SETFL, O_NONBLOCK) != 0) return Status::IoError("fcntl", errno);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = conn;
    if (::epoll_ctl(gen->epoll_fd_, EPOLL_CTL_ADD, conn->fd, &ev) != 0) {
      return Status::IoError("epoll_ctl", errno);
    }
  }
  return gen;
}

Status LoadGenerator::Greet(Connection* c) {
  ipc::Request hello;
  hello.command = ipc::Command::kHello;
  hello.request_id = next_request_id_++;
  hello.client_version = ipc::kProtocolVersion;
  hello.client_name = "docdb-load";
  DOCDB_RETURN_IF_ERROR(SendAll(c->fd, ipc::EncodeRequest(hello)));
  std::string frame(ipc::kFrameHeaderBytes, '\0');
  DOCDB_RETURN_IF_ERROR(RecvAll(c->fd, frame.data(), frame.size()));
  DOCDB_ASSIGN_OR_RETURN(const ipc::FrameHeader header, ipc::DecodeFrameHeader(frame));
  std::string body(header.body_length, '\0');
  DOCDB_RETURN_IF_ERROR(RecvAll(c->fd, body.data(), body.size()));
  DOCDB_ASSIGN_OR_RETURN(const ipc::Response r, ipc::DecodeResponse(ipc::Command::kHello, body));
  // A refused connection (max_connections) is answered under the connection's id.
  if (!r.status.ok()) return r.status;
  if (header.request_id != hello.request_id) {
    return Status::Corruption("hello answered with request id " +
                              std::to_string(header.request_id));
  }
  if (r.hello.protocol_version != ipc::kProtocolVersion) {
    return Status::NotSupported("docdbd speaks protocol version " +
                                std::to_string(r.hello.protocol_version) + ", docdb-load " +
                                std::to_string(ipc::kProtocolVersion));
  }
  server_max_in_flight_ = r.hello.max_in_flight_per_connection;
  return Status::OK();
}

bool LoadGenerator::Issuing(const PhaseSpec& spec, uint64_t now_ns) const {
  return spec.requests > 0 ? issued_ < spec.requests : now_ns < deadline_ns_;
}

std::string LoadGenerator::NextKey(const PhaseSpec& spec) {
  if (spec.sequential_keys) return UserKey(next_sequential_key_++ % target_.records);
  return UserKey(key_distribution_(rng_));
}

void LoadGenerator::Issue(Connection* c, const PhaseSpec& spec) {
  bool get = spec.workload == Workload::kGet;
  if (spec.workload == Workload::kMixed) get = (rng_() >> 63) == 0;
  ipc::Request& request = get ? get_template_ : put_template_;
  request.request_id = next_request_id_++;
  request.ops.front().id = NextKey(spec);
  c->out += ipc::EncodeRequest(request);
  c->in_flight.emplace(request.request_id, Sent{request.command, NowNs()});
  ++issued_;
  ++outstanding_;
}

Result<PhaseResult> LoadGenerator::Run(const PhaseSpec& spec) {
  PhaseResult result;
  issued_ = 0;
  outstanding_ = 0;
  const uint64_t start_ns = NowNs();
  deadline_ns_ = start_ns + static_cast<uint64_t>(spec.seconds * 1e9);
  last_reply_ns_ = start_ns;
  for (auto& c : connections_) {
    for (uint32_t i = 0; i < spec.pipeline && Issuing(spec, start_ns); ++i) Issue(c.get(), spec);
    DOCDB_RETURN_IF_ERROR(Flush(c.get()));
  }
  std::vector<epoll_event> events(connections_.size());
  while (outstanding_ > 0) {
    const int n =
        ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), kWaitSliceMs);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(std::string("epoll_wait: ") + std::strerror(errno), errno);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<Connection*>(events[i].data.ptr);
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        DOCDB_RETURN_IF_ERROR(OnReadable(c, spec, &result));
      }
      DOCDB_RETURN_IF_ERROR(Flush(c));
    }
    if (NowNs() - last_reply_ns_ > uint64_t{spec.drain_timeout_ms} * 1'000'000) {
      return Status::Aborted("docdbd sent no reply for " + std::to_string(spec.drain_timeout_ms) +
                             " ms with " + std::to_string(outstanding_) + " requests in flight");
    }
  }
  result.elapsed_s = static_cast<double>(last_reply_ns_ - start_ns) / 1e9;
  return result;
}

Status LoadGenerator::OnReadable(Connection* c, const PhaseSpec& spec, PhaseResult* result) {
  for (;;) {
    const ssize_t n = ::recv(c->fd, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      c->in.append(read_buffer_.data(), static_cast<size_t>(n));
      // A short read took all there was; epoll reports the connection again if more came.
      if (static_cast<size_t>(n) < read_buffer_.size()) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n == 0) {
      return Status::Unavailable("docdbd closed a connection with " +
                                 std::to_string(c->in_flight.size()) + " requests in flight");
    }
    return Lost("recv", errno);
  }
  for (;;) {
    const std::string_view pending(c->in.data() + c->in_start, c->in.size() - c->in_start);
    if (pending.size() < ipc::kFrameHeaderBytes) break;
    Result<ipc::FrameHeader> header = ipc::DecodeFrameHeader(pending);
    if (!header.ok()) return Status::Corruption("bad reply frame: " + header.status().ToString());
    const size_t frame_bytes = ipc::kFrameHeaderBytes + header->body_length;
    if (pending.size() < frame_bytes) break;
    DOCDB_RETURN_IF_ERROR(HandleReply(
        c, *header, pending.substr(ipc::kFrameHeaderBytes, header->body_length), result));
    c->in_start += frame_bytes;
    // Each reply frees a slot, which the next request takes at once: P stay in flight.
    if (Issuing(spec, last_reply_ns_)) Issue(c, spec);
  }
  // Keep the start of an incomplete frame only.
  c->in.erase(0, c->in_start);
  c->in_start = 0;
  return Status::OK();
}

Status LoadGenerator::HandleReply(Connection* c, const ipc::FrameHeader& header,
                                  std::string_view body, PhaseResult* result) {
  last_reply_ns_ = NowNs();
  if ((header.flags & ipc::kFlagResponse) == 0) {
    return Status::Corruption("a frame from docdbd without the response flag");
  }
  if (header.request_id == ipc::kConnectionRequestId) {
    // The server's word on the whole connection, just before it closes it.
    Result<ipc::Response> r = ipc::DecodeResponse(ipc::Command::kHello, body);
    return Status::Unavailable("docdbd is closing a connection: " +
                               (r.ok() ? r->status.ToString() : r.status().ToString()));
  }
  auto it = c->in_flight.find(header.request_id);
  if (it == c->in_flight.end()) {
    return Status::Corruption("a reply to request id " + std::to_string(header.request_id) +
                              ", which is not in flight on its connection");
  }
  const Sent sent = it->second;
  c->in_flight.erase(it);
  --outstanding_;
  if (header.command != static_cast<uint16_t>(sent.command)) {
    return Status::Corruption("request id " + std::to_string(header.request_id) + " was a " +
                              ipc::CommandName(static_cast<uint16_t>(sent.command)) +
                              ", its reply a " + ipc::CommandName(header.command));
  }
  Result<ipc::Response> r = ipc::DecodeResponse(sent.command, body);
  if (!r.ok()) return Status::Corruption("undecodable reply: " + r.status().ToString());
  if (r->status.ok() && r->results.size() != 1) {
    return Status::Corruption("a reply with " + std::to_string(r->results.size()) +
                              " results to a single-document request");
  }
  result->latency.Record(last_reply_ns_ - sent.sent_ns);
  ++result->completed;
  if (!r->status.ok()) {
    ++result->errors;
    if (r->status.code() == StatusCode::kNotFound) ++result->not_found;
    if (result->first_error.ok()) result->first_error = r->status;
  }
  return Status::OK();
}

Status LoadGenerator::Flush(Connection* c) {
  while (c->pending_output() > 0) {
    const ssize_t n =
        ::send(c->fd, c->out.data() + c->out_start, c->pending_output(), MSG_NOSIGNAL);
    if (n > 0) {
      c->out_start += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return Lost("send", n < 0 ? errno : EPIPE);
  }
  if (c->pending_output() == 0) {
    c->out.clear();
    c->out_start = 0;
  }
  return WatchWrites(c, c->pending_output() > 0);
}

Status LoadGenerator::WatchWrites(Connection* c, bool want) {
  if (want == c->watching_writes) return Status::OK();
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
  ev.data.ptr = c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
    return Status::IoError(std::string("epoll_ctl: ") + std::strerror(errno), errno);
  }
  c->watching_writes = want;
  return Status::OK();
}

}  // namespace docdb::serverbench
