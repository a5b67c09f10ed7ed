// An I/O thread of docdbd (ipc/io_thread.h, docs/server.md).
#include "ipc/io_thread.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <optional>

namespace docdb::ipc {
namespace {

thread_local IoThread* current_thread = nullptr;

// epoll's data for the two descriptors that are not connections.
char wake_tag;
char listen_tag;

constexpr size_t kReadChunkBytes = 256 << 10;
// A connection's reads per readiness event, so that one busy client cannot starve the
// others on its thread.
constexpr int kMaxReadsPerEvent = 4;
constexpr auto kSweepInterval = std::chrono::milliseconds(100);

}  // namespace

struct IoThread::Connection {
  int fd = -1;
  uint64_t id = 0;
  std::string in;
  size_t in_start = 0;  // the first byte not consumed yet
  std::string out;
  size_t out_start = 0;  // the first byte not written yet
  uint32_t in_flight = 0;
  uint32_t writes_in_flight = 0;
  // A request that must not start before the writes in flight are answered: a read after
  // a write on one connection sees it.
  std::optional<Request> held;
  bool waiting_for_worker = false;  // later requests wait, so that they keep their order
  bool closing = false;             // a protocol error: write what is queued, then close
  bool peer_done = false;           // the client closed its side
  bool hung_up = false;             // ... and cannot take replies either
  bool closed = false;
  bool dirty = false;
  uint32_t events = 0;  // what epoll watches for
  Clock::time_point last_input;
  Clock::time_point last_output;                   // the last write progress
  std::optional<Clock::time_point> partial_since;  // a frame begun and not complete

  size_t pending_input() const { return in.size() - in_start; }
  size_t pending_output() const { return out.size() - out_start; }
};

IoThread::IoThread(Context context) : ctx_(context), read_buffer_(kReadChunkBytes) {}

IoThread::~IoThread() {
  Join();
  for (auto& [ptr, c] : connections_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

Status IoThread::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return Status::IoError("epoll_create1", errno);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::IoError("eventfd", errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &wake_tag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return Status::IoError("epoll_ctl(eventfd)", errno);
  }
  next_sweep_ = Clock::now() + kSweepInterval;
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void IoThread::Join() {
  if (thread_.joinable()) thread_.join();
}

void IoThread::Post(std::function<void()> task) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(task));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) {
    const uint64_t one = 1;
    // The eventfd only fails when its counter would overflow, and then it is readable
    // already: the thread wakes either way.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
}

void IoThread::Adopt(int fd, uint64_t connection_id) {
  Post([this, fd, connection_id] {
    auto c = std::make_shared<Connection>();
    c->fd = fd;
    c->id = connection_id;
    c->last_input = c->last_output = Clock::now();
    if (shutting_down_) {
      ::close(fd);
      ctx_.counters->connections_open.fetch_sub(1);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ctx_.logger->Log(LogLevel::kError, "connection",
                       "connection " + std::to_string(connection_id) +
                           ": epoll_ctl failed: " + std::strerror(errno));
      ::close(fd);
      ctx_.counters->connections_open.fetch_sub(1);
      return;
    }
    c->events = EPOLLIN;
    connections_.emplace(c.get(), c);
  });
}

void IoThread::AddListener(int fd, std::function<void()> on_readable) {
  Post([this, fd, on_readable = std::move(on_readable)] {
    listen_fd_ = fd;
    on_listen_ = on_readable;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ctx_.logger->Log(LogLevel::kError, "listen",
                       std::string("cannot watch the listening socket: ") + std::strerror(errno));
    }
  });
}

void IoThread::RemoveListener() {
  std::promise<void> removed;
  Post([this, &removed] {
    if (listen_fd_ >= 0) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
      on_listen_ = nullptr;
    }
    removed.set_value();
  });
  removed.get_future().wait();
}

void IoThread::BeginShutdown() {
  Post([this] {
    shutting_down_ = true;
    drain_deadline_ =
        Clock::now() + std::chrono::milliseconds(ctx_.options->shutdown_drain_timeout_ms);
    for (auto& [ptr, c] : connections_) MarkDirty(ptr);
  });
}

void IoThread::Run() {
  current_thread = this;
  std::vector<epoll_event> events(128);
  for (;;) {
    closed_.clear();
    const auto now = Clock::now();
    const int timeout_ms = static_cast<int>(
        std::max<int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(next_sweep_ - now).count()) +
        1);
    const int n =
        ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &wake_tag) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
        continue;
      }
      if (tag == &listen_tag) {
        if (on_listen_) on_listen_();
        continue;
      }
      auto* c = static_cast<Connection*>(tag);
      if (c->closed) continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ReadFrom(c);
      if (events[i].events & (EPOLLHUP | EPOLLERR)) c->hung_up = true;
      MarkDirty(c);
    }
    RunPosted();
    std::vector<std::shared_ptr<Connection>> dirty;
    dirty.swap(dirty_);
    for (const std::shared_ptr<Connection>& c : dirty) {
      c->dirty = false;
      if (!c->closed) Service(c.get());
    }
    if (Clock::now() >= next_sweep_) SweepTimeouts();
    if (shutting_down_ && connections_.empty()) break;
  }
  current_thread = nullptr;
}

void IoThread::RunPosted() {
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    tasks.swap(posted_);
    wake_pending_ = false;
  }
  for (std::function<void()>& task : tasks) task();
}

void IoThread::MarkDirty(Connection* c) {
  if (c->dirty || c->closed) return;
  c->dirty = true;
  dirty_.push_back(connections_.at(c));
}

void IoThread::ReadFrom(Connection* c) {
  if (c->closing || c->peer_done) return;
  for (int reads = 0; reads < kMaxReadsPerEvent; ++reads) {
    // Into the thread's buffer, then only what came is appended: growing the
    // connection's buffer by a whole chunk first would zero the chunk on every read.
    const ssize_t n = ::recv(c->fd, read_buffer_.data(), read_buffer_.size(), MSG_DONTWAIT);
    if (n > 0) {
      c->in.append(read_buffer_.data(), static_cast<size_t>(n));
      c->last_input = Clock::now();
      if (static_cast<size_t>(n) < read_buffer_.size()) return;
      continue;
    }
    if (n == 0) {
      c->peer_done = true;
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    Close(c, std::strerror(errno));
    return;
  }
}

void IoThread::Service(Connection* c) {
  if (shutting_down_) {
    if (!c->waiting_for_worker) FailUnparsed(c);
  } else if (!c->closing) {
    Parse(c);
  }
  if (c->closed) return;
  if (c->hung_up) {
    // What it sent before it went is run; its replies have nowhere to go.
    Close(c, "client hung up");
    return;
  }
  Flush(c);
  if (c->closed) return;
  // With nothing in flight, what input is left after Parse can only be part of a frame.
  const bool finished = c->in_flight == 0 && !c->held && c->pending_output() == 0;
  if (finished && (c->closing || shutting_down_)) {
    Close(c, c->closing ? "protocol error" : "server shutting down");
    return;
  }
  if (finished && c->peer_done) {
    Close(c, "client closed the connection");
    return;
  }
  UpdateInterest(c);
}

void IoThread::Parse(Connection* c) {
  const ServerOptions& o = *ctx_.options;
  while (!c->closing && !c->waiting_for_worker && c->in_flight < o.max_in_flight_per_connection) {
    if (c->held && !DispatchHeld(c)) break;
    const std::string_view pending(c->in.data() + c->in_start, c->pending_input());
    if (pending.size() < kFrameHeaderBytes) break;
    Result<FrameHeader> header = DecodeFrameHeader(pending);
    if (!header.ok()) {
      // The header cannot be trusted, its request id included.
      ProtocolError(c, 0, kConnectionRequestId, header.status());
      break;
    }
    if (header->body_length > o.max_frame_body_bytes) {
      ProtocolError(c, header->command, header->request_id,
                    Status::InvalidArgument("frame body of " + std::to_string(header->body_length) +
                                            " bytes is over the limit of " +
                                            std::to_string(o.max_frame_body_bytes)));
      break;
    }
    const size_t frame_bytes = kFrameHeaderBytes + header->body_length;
    if (pending.size() < frame_bytes) break;
    Result<Request> request =
        DecodeRequest(*header, pending.substr(kFrameHeaderBytes, header->body_length));
    c->in_start += frame_bytes;
    if (!request.ok()) {
      if (request.status().code() == StatusCode::kNotSupported) {
        // An unknown command in a sound frame: the client may go on with known ones.
        ++c->in_flight;
        OnReply(connections_.at(c),
                RequestHandler::ErrorFrame(static_cast<Command>(header->command),
                                           header->request_id, request.status()),
                false, false);
        continue;
      }
      ProtocolError(c, header->command, header->request_id, request.status());
      break;
    }
    if (c->writes_in_flight > 0 && !RequestHandler::Writes(*request)) {
      c->held = *std::move(request);
      continue;
    }
    Dispatch(c, *std::move(request));
  }
  // Keep the unconsumed bytes at the front, so that the buffer does not grow forever.
  if (c->in_start == c->in.size()) {
    c->in.clear();
    c->in_start = 0;
  } else if (c->in_start > (1u << 20)) {
    c->in.erase(0, c->in_start);
    c->in_start = 0;
  }
  if (c->pending_input() == 0) {
    c->partial_since.reset();
  } else if (!c->partial_since && !c->waiting_for_worker && !c->held &&
             c->in_flight < o.max_in_flight_per_connection) {
    c->partial_since = Clock::now();
  }
}

bool IoThread::DispatchHeld(Connection* c) {
  if (c->writes_in_flight > 0) return false;
  Request request = *std::move(c->held);
  c->held.reset();
  Dispatch(c, std::move(request));
  return true;
}

void IoThread::FailUnparsed(Connection* c) {
  if (c->held) {
    c->out += RequestHandler::ErrorFrame(c->held->command, c->held->request_id,
                                         Status::Aborted("the server is shutting down"));
    c->held.reset();
  }
  while (c->pending_input() >= kFrameHeaderBytes) {
    const std::string_view pending(c->in.data() + c->in_start, c->pending_input());
    Result<FrameHeader> header = DecodeFrameHeader(pending);
    if (!header.ok() || pending.size() < kFrameHeaderBytes + header->body_length) break;
    c->in_start += kFrameHeaderBytes + header->body_length;
    c->out += RequestHandler::ErrorFrame(static_cast<Command>(header->command), header->request_id,
                                         Status::Aborted("the server is shutting down"));
  }
  c->in.clear();
  c->in_start = 0;
}

void IoThread::Dispatch(Connection* c, Request request) {
  ++c->in_flight;
  RequestHandler::Route route = ctx_.handler->RouteOf(request);
  const bool blocks = route.may_block;
  const bool writes = RequestHandler::Writes(request);
  if (writes) ++c->writes_in_flight;
  // A scrape is not counted, so that it changes no value it reports.
  const Command command = request.command;
  const bool counted = command != Command::kMetrics;
  const Clock::time_point received = Clock::now();
  if (counted) {
    ctx_.counters->requests.fetch_add(1, std::memory_order_relaxed);
    ctx_.counters->requests_in_flight.fetch_add(1, std::memory_order_relaxed);
  }
  std::shared_ptr<Connection> conn = connections_.at(c);
  Respond respond = [this, conn, blocks, writes, command, counted, received](std::string frame) {
    if (counted) {
      ctx_.metrics->RequestAnswered(command, Clock::now() - received);
      ctx_.counters->requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
    }
    if (current_thread == this) {
      OnReply(conn, std::move(frame), blocks, writes);
      return;
    }
    Post([this, conn, blocks, writes, frame = std::move(frame)]() mutable {
      OnReply(conn, std::move(frame), blocks, writes);
    });
  };
  if (!blocks) {
    ctx_.handler->Handle(std::move(request), std::move(route.db), std::move(respond));
    return;
  }
  c->waiting_for_worker = true;
  ctx_.worker->Submit([handler = ctx_.handler, request = std::move(request),
                       respond = std::move(respond)]() mutable {
    handler->Handle(std::move(request), nullptr, std::move(respond));
  });
}

void IoThread::OnReply(const std::shared_ptr<Connection>& c, std::string frame, bool from_worker,
                       bool wrote) {
  --c->in_flight;
  if (from_worker) c->waiting_for_worker = false;
  if (wrote) --c->writes_in_flight;
  if (c->closed) return;
  if (c->pending_output() == 0) {
    c->last_output = Clock::now();
    c->out = std::move(frame);
    c->out_start = 0;
  } else {
    c->out += frame;
  }
  MarkDirty(c.get());
}

void IoThread::ProtocolError(Connection* c, uint16_t command, uint64_t request_id,
                             const Status& why) {
  ctx_.counters->protocol_errors.fetch_add(1, std::memory_order_relaxed);
  ctx_.logger->Log(LogLevel::kWarning, "protocol_error",
                   "connection " + std::to_string(c->id) +
                       ": closing after a malformed frame: " + why.ToString());
  c->out += RequestHandler::ErrorFrame(static_cast<Command>(command), request_id, why);
  c->closing = true;
  c->in.clear();
  c->in_start = 0;
}

void IoThread::Flush(Connection* c) {
  while (c->pending_output() > 0) {
    const ssize_t n = ::send(c->fd, c->out.data() + c->out_start, c->pending_output(),
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      c->out_start += static_cast<size_t>(n);
      c->last_output = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    Close(c, n < 0 ? std::strerror(errno) : "send returned 0");
    return;
  }
  if (c->pending_output() == 0) {
    c->out.clear();
    c->out_start = 0;
  } else if (c->out_start > (1u << 20)) {
    c->out.erase(0, c->out_start);
    c->out_start = 0;
  }
}

void IoThread::UpdateInterest(Connection* c) {
  const ServerOptions& o = *ctx_.options;
  // Reading stops while the connection has as much in flight, queued for it or buffered
  // from it as it may: that is the backpressure a client feels.
  const bool read = !c->closing && !c->peer_done && !shutting_down_ &&
                    c->in_flight < o.max_in_flight_per_connection &&
                    c->pending_output() < o.max_output_bytes_per_connection &&
                    c->pending_input() < kFrameHeaderBytes + o.max_frame_body_bytes;
  const uint32_t want = (read ? EPOLLIN : 0u) | (c->pending_output() > 0 ? EPOLLOUT : 0u);
  if (want == c->events) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
    Close(c, std::strerror(errno));
    return;
  }
  c->events = want;
}

void IoThread::Close(Connection* c, const char* why) {
  if (c->closed) return;
  // Logged and counted before the client can see the close.
  ctx_.logger->Log(LogLevel::kInfo, "disconnect",
                   "connection " + std::to_string(c->id) + " closed: " + std::string(why));
  ctx_.counters->connections_open.fetch_sub(1);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  c->fd = -1;
  c->closed = true;
  c->in.clear();
  c->out.clear();
  auto it = connections_.find(c);
  closed_.push_back(std::move(it->second));
  connections_.erase(it);
}

void IoThread::SweepTimeouts() {
  const ServerOptions& o = *ctx_.options;
  const auto now = Clock::now();
  next_sweep_ = now + kSweepInterval;
  const auto slow = std::chrono::milliseconds(o.slow_client_timeout_ms);
  const auto idle = std::chrono::milliseconds(o.idle_timeout_ms);
  std::vector<std::pair<Connection*, const char*>> to_close;
  for (auto& [ptr, c] : connections_) {
    if (shutting_down_ && now >= drain_deadline_) {
      to_close.emplace_back(ptr, "shutdown drain timeout");
    } else if (c->partial_since && now - *c->partial_since > slow) {
      to_close.emplace_back(ptr, "slow client: a frame left incomplete");
    } else if (c->pending_output() > 0 && now - c->last_output > slow) {
      to_close.emplace_back(ptr, "slow client: replies not read");
    } else if (o.idle_timeout_ms > 0 && c->in_flight == 0 && c->pending_output() == 0 &&
               now - c->last_input > idle) {
      to_close.emplace_back(ptr, "idle timeout");
    }
  }
  for (auto& [c, why] : to_close) Close(c, why);
}

}  // namespace docdb::ipc
