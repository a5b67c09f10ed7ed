// docdbd's server: the socket, the threads and shutdown (ipc/server.h, docs/server.md).
#include "ipc/server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status_macros.h"
#include "io/file_names.h"
#include "io/file_system.h"
#include "ipc/database_pool.h"
#include "ipc/http_endpoint.h"
#include "ipc/io_thread.h"
#include "ipc/request_handler.h"
#include "ipc/server_metrics.h"
#include "ipc/unix_address.h"
#include "ipc/worker_thread.h"

#ifndef DOCDB_VERSION
#define DOCDB_VERSION "0.0.0"
#endif

namespace docdb::ipc {
namespace {

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IoError(what + ": " + std::strerror(err), err);
}

// Removes a socket file that no server answers on; an answered socket or any other kind
// of file is left alone.
Status ClearStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::OK() : ErrnoStatus("lstat " + path, errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status::FailedPrecondition(path + " exists and is not a socket; not replacing it");
  }
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return ErrnoStatus("socket", errno);
  const int rc = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(probe);
  if (rc == 0) return Status::Busy("a server is already answering on " + path);
  if (err != ECONNREFUSED) return ErrnoStatus("probing " + path, err);
  if (::unlink(path.c_str()) != 0) return ErrnoStatus("removing stale socket " + path, errno);
  return Status::OK();
}

// Binds and listens. The socket file is created mode 0600 by the umask in force during
// bind (no chmod afterwards, so it is never more open than that); with a group it is
// then given to the group and opened to it.
Result<int> Listen(const std::string& path, const std::string& group) {
  DOCDB_ASSIGN_OR_RETURN(const sockaddr_un addr, UnixAddress(path));
  DOCDB_RETURN_IF_ERROR(ClearStaleSocket(path, addr));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  const mode_t old_umask = ::umask(0177);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int bind_errno = errno;
  ::umask(old_umask);
  if (bound != 0) {
    ::close(fd);
    return ErrnoStatus("bind " + path, bind_errno);
  }
  const auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  };
  if (!group.empty()) {
    const struct group* g = ::getgrnam(group.c_str());
    if (g == nullptr)
      return fail(Status::InvalidArgument("socket group '" + group + "' does not exist"));
    if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 ||
        ::chmod(path.c_str(), 0660) != 0) {
      return fail(ErrnoStatus("giving " + path + " to group " + group, errno));
    }
  }
  if (::listen(fd, SOMAXCONN) != 0) return fail(ErrnoStatus("listen " + path, errno));
  return fd;
}

class ServerImpl : public Server {
 public:
  ServerImpl(const ServerOptions& options, std::shared_ptr<Logger> logger)
      : options_(options),
        socket_path_(SocketPathOf(options)),
        logger_(std::move(logger)),
        pool_(options.data_dir, options.db),
        metrics_(std::make_shared<ServerMetrics>(&counters_, &pool_)),
        handler_(&pool_, metrics_.get(), Hello(options)) {}

  ~ServerImpl() override { Shutdown(); }

  Status Start() {
    if (::mkdir(options_.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus("creating data directory " + options_.data_dir, errno);
    }
    DOCDB_ASSIGN_OR_RETURN(fs_, io::NewFileSystem(io::IoBackend::kPosix));
    Result<std::unique_ptr<io::FileLock>> lock = fs_->LockFile(io::LockFilePath(options_.data_dir));
    if (!lock.ok()) {
      if (lock.status().code() == StatusCode::kBusy) {
        return Status::Busy("data directory " + options_.data_dir +
                            " is in use by another docdbd (its LOCK is held)");
      }
      return lock.status();
    }
    lock_ = std::move(*lock);
    // `default` is always there, and opening it now means a server that answers is ready.
    DOCDB_RETURN_IF_ERROR(pool_.Open("default").status());
    DOCDB_ASSIGN_OR_RETURN(const int listen_fd, Listen(socket_path_, options_.socket_group));
    listening_ = true;
    worker_ = std::make_unique<WorkerThread>();
    const IoThread::Context ctx{&options_,     &handler_,  worker_.get(),
                                logger_.get(), &counters_, metrics_.get()};
    const uint32_t io_threads =
        options_.io_threads > 0 ? options_.io_threads
                                : std::max<uint32_t>(1, std::thread::hardware_concurrency() / 2);
    for (uint32_t i = 0; i < io_threads; ++i) {
      threads_.push_back(std::make_unique<IoThread>(ctx));
      DOCDB_RETURN_IF_ERROR(threads_.back()->Start());
    }
    threads_.front()->AddListener(listen_fd, [this, listen_fd] { Accept(listen_fd); });
    if (!options_.metrics_listen.empty()) {
      DOCDB_ASSIGN_OR_RETURN(http_, HttpEndpoint::Start(options_.metrics_listen, metrics_,
                                                        [this] { return NotReadyReason(); }));
      logger_->Log(LogLevel::kInfo, "listen",
                   "serving /metrics, /healthz and /readyz on " + options_.metrics_listen +
                       " (port " + std::to_string(http_->port()) + ")");
    }
    logger_->Log(LogLevel::kInfo, "listen",
                 "docdbd " DOCDB_VERSION " listening on " + socket_path_ + ", data directory " +
                     options_.data_dir);
    return Status::OK();
  }

  void Shutdown() override {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
    http_.reset();  // no scrape runs once the databases begin to close
    if (!threads_.empty()) {
      threads_.front()->RemoveListener();
      for (auto& t : threads_) t->BeginShutdown();
      for (auto& t : threads_) t->Join();
    }
    // Every request has been answered: nothing can reach the worker any more.
    worker_.reset();
    threads_.clear();
    pool_.CloseAll();
    if (listening_) ::unlink(socket_path_.c_str());
    lock_.reset();
    logger_->Log(LogLevel::kInfo, "stop", "docdbd stopped: every database closed");
  }

  ServerCounters counters() const override {
    return {counters_.connections_accepted.load(), counters_.connections_open.load(),
            counters_.connections_refused.load(), counters_.protocol_errors.load(),
            counters_.requests.load()};
  }
  const std::string& socket_path() const override { return socket_path_; }
  uint16_t metrics_port() const override { return http_ ? http_->port() : 0; }

  std::string NotReadyReason() const override {
    // The HTTP endpoint starts once the socket listens, so only the end needs checking.
    if (stopping_) return "shutting down";
    if (pool_.Find("default") == nullptr) return "database 'default' is not open";
    for (const auto& [name, db] : pool_.OpenDatabases()) {
      const Result<Stats> stats = db->GetStats();
      if (!stats.ok()) return "database '" + name + "': " + stats.status().ToString();
      if (stats->read_only) {
        return "database '" + name + "' refuses writes: " + stats->read_only_reason;
      }
    }
    return "";
  }

 private:
  static ServerHello Hello(const ServerOptions& o) {
    ServerHello h;
    h.server_version = DOCDB_VERSION;
    h.max_frame_body_bytes = o.max_frame_body_bytes;
    h.max_in_flight_per_connection = o.max_in_flight_per_connection;
    h.max_document_bytes = o.db.max_document_bytes;
    return h;
  }

  // Runs on the first I/O thread whenever the listening socket is readable.
  void Accept(int listen_fd) {
    for (;;) {
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          logger_->Log(LogLevel::kError, "accept", std::string("accept: ") + std::strerror(errno));
        }
        return;
      }
      const uint64_t id = counters_.connections_accepted.fetch_add(1) + 1;
      if (counters_.connections_open.load() >= options_.max_connections) {
        Refuse(fd, id);
        continue;
      }
      counters_.connections_open.fetch_add(1);
      LogPeer(fd, id);
      threads_[id % threads_.size()]->Adopt(fd, id);
    }
  }

  void Refuse(int fd, uint64_t id) {
    counters_.connections_refused.fetch_add(1);
    const std::string frame =
        RequestHandler::ErrorFrame(Command::kHello, kConnectionRequestId,
                                   Status::Busy("too many connections (max_connections " +
                                                std::to_string(options_.max_connections) + ")"));
    // Best effort: a new socket's buffer takes one small frame.
    [[maybe_unused]] ssize_t n =
        ::send(fd, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::close(fd);
    logger_->Log(LogLevel::kWarning, "connection_refused",
                 "connection " + std::to_string(id) + " refused: max_connections reached");
  }

  void LogPeer(int fd, uint64_t id) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      logger_->Log(
          LogLevel::kWarning, "connection",
          "connection " + std::to_string(id) + ": SO_PEERCRED failed: " + std::strerror(errno));
      return;
    }
    logger_->Log(LogLevel::kInfo, "connection",
                 "connection " + std::to_string(id) + " from pid " + std::to_string(cred.pid) +
                     " uid " + std::to_string(cred.uid) + " gid " + std::to_string(cred.gid));
  }

  const ServerOptions options_;
  const std::string socket_path_;
  const std::shared_ptr<Logger> logger_;
  SharedCounters counters_;
  DatabasePool pool_;
  const std::shared_ptr<ServerMetrics> metrics_;
  RequestHandler handler_;
  std::unique_ptr<HttpEndpoint> http_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<io::FileSystem> fs_;
  std::unique_ptr<io::FileLock> lock_;
  std::unique_ptr<WorkerThread> worker_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  bool listening_ = false;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
};

}  // namespace

std::string SocketPathOf(const ServerOptions& options) {
  return options.socket_path.empty() ? io::JoinPath(options.data_dir, "docdb.sock")
                                     : options.socket_path;
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                              std::shared_ptr<Logger> logger) {
  if (!logger) logger = NewStderrLogger(LogLevel::kInfo);
  auto server = std::make_unique<ServerImpl>(options, std::move(logger));
  if (Status started = server->Start(); !started.ok()) return started;
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace docdb::ipc
