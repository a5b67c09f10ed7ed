// The docdbd program: readiness, SIGKILL and SIGTERM under load, the socket's mode
// against another user, and its configuration flags (docs/server.md).
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "ipc/unix_address.h"
#include "tests/ipc/server_test.h"
#include "tests/support/run_command.h"

extern char** environ;

namespace docdb {
namespace {

// A docdbd process on a temporary data directory. Readiness is its sd_notify message on
// a datagram socket of the test's, so no test waits by the clock.
class DocdbdProcess {
 public:
  DocdbdProcess(std::string data_dir, std::string socket_path, std::string notify_path)
      : data_dir_(std::move(data_dir)),
        socket_path_(std::move(socket_path)),
        notify_path_(std::move(notify_path)) {}
  ~DocdbdProcess() {
    if (pid_ > 0) Kill(SIGKILL);
  }

  // Starts docdbd and waits until it says READY=1.
  ::testing::AssertionResult Start(std::vector<std::string> extra_args = {}) {
    const int notify = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = *ipc::UnixAddress(notify_path_);
    ::unlink(notify_path_.c_str());
    if (::bind(notify, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return ::testing::AssertionFailure() << "bind notify socket: " << std::strerror(errno);
    }
    std::vector<std::string> args = {DOCDBD_PATH, "--data-dir", data_dir_, "--socket", socket_path_,
                                     "--set", "log.level=warning",
                                     // Tests run side by side: no fixed port.
                                     "--set", "server.metrics_listen=\"\""};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = {"NOTIFY_SOCKET=" + notify_path_};
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) env_strings.emplace_back(*e);
    }
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0) {
      ::close(notify);
      return ::testing::AssertionFailure() << "cannot start " << DOCDBD_PATH;
    }
    char buf[256];
    for (;;) {
      pollfd p{notify, POLLIN, 0};
      if (::poll(&p, 1, 60000) != 1) {
        ::close(notify);
        return ::testing::AssertionFailure() << "docdbd did not report readiness in 60 s";
      }
      const ssize_t n = ::recv(notify, buf, sizeof buf - 1, 0);
      if (n > 0 &&
          std::string_view(buf, static_cast<size_t>(n)).find("READY=1") != std::string_view::npos) {
        break;
      }
    }
    ::close(notify);
    return ::testing::AssertionSuccess();
  }

  void Kill(int sig) { ::kill(pid_, sig); }
  // Waits for the process to end; its exit code, or 128 + the signal that killed it.
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  const std::string data_dir_;
  const std::string socket_path_;
  const std::string notify_path_;
  pid_t pid_ = -1;
};

class DocdbdTest : public ::testing::Test {
 protected:
  DocdbdTest()
      : socket_path_(socket_dir_.path() + "/s.sock"),
        process_(dir_.Join("data"), socket_path_, socket_dir_.path() + "/notify") {}

  std::unique_ptr<Client> Connect() {
    ClientOptions options;
    options.socket_path = socket_path_;
    Result<std::unique_ptr<Client>> c = Client::Connect(options);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  testing::TempDir dir_;
  testing::ShortDir socket_dir_;
  std::string socket_path_;
  DocdbdProcess process_;
};

// Acknowledged writes, by document id: the version each was acknowledged with.
class Acknowledged {
 public:
  void Add(const std::string& id, uint64_t version) {
    std::lock_guard<std::mutex> lock(mu_);
    versions_[id] = version;
    cv_.notify_all();
  }
  void WaitForAtLeast(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return versions_.size() >= n; });
  }
  std::map<std::string, uint64_t> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return versions_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> versions_;
};

// Writers that put distinct documents until their connection fails: each with its own
// connection, synchronous puts from half of them and pipelined WriteAsync from the rest.
class WriteLoad {
 public:
  WriteLoad(const std::string& socket_path, Acknowledged* acked) {
    for (int w = 0; w < kWriters; ++w) {
      threads_.emplace_back([this, socket_path, acked, w] { Run(socket_path, acked, w); });
    }
  }
  // Joins the writers; their connections must be failing by now.
  ~WriteLoad() {
    for (std::thread& t : threads_) t.join();
  }
  uint64_t submitted() const { return submitted_.load(); }
  uint64_t answered() const { return answered_.load(); }

 private:
  static constexpr int kWriters = 8;
  static constexpr int kPipelined = 16;

  void Run(const std::string& socket_path, Acknowledged* acked, int w) {
    ClientOptions options;
    options.socket_path = socket_path;
    Result<std::unique_ptr<Client>> client = Client::Connect(options);
    if (!client.ok()) return;
    Result<std::unique_ptr<DB>> db = (*client)->OpenDatabase("default");
    if (!db.ok()) return;
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    std::atomic<bool> failed{false};
    for (int i = 0; !failed; ++i) {
      const std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
      const std::string json =
          R"({"writer":)" + std::to_string(w) + R"(,"i":)" + std::to_string(i) + "}";
      submitted_.fetch_add(1);
      if (w % 2 == 0) {
        Result<uint64_t> v = (*db)->Put("default", id, json);
        answered_.fetch_add(1);
        if (v.ok()) acked->Add(id, *v);
        failed = !v.ok();
        continue;
      }
      WriteBatch b;
      b.Put("default", id, json);
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < kPipelined; });
      ++in_flight;
      lock.unlock();
      (*db)->WriteAsync(std::move(b), [&, id](Result<uint64_t> v) {
        if (v.ok()) acked->Add(id, *v);
        answered_.fetch_add(1);
        std::lock_guard<std::mutex> l(mu);
        --in_flight;
        if (!v.ok()) failed = true;
        cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }

  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> answered_{0};
  std::vector<std::thread> threads_;
};

void ExpectAllPresent(Client& client, const std::map<std::string, uint64_t>& acked) {
  Result<std::unique_ptr<DB>> db = client.OpenDatabase("default");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  size_t missing = 0;
  for (const auto& [id, version] : acked) {
    Result<Document> doc = (*db)->Get("default", id);
    if (!doc.ok() || doc->version != version) {
      ++missing;
      ADD_FAILURE() << id << " acknowledged at version " << version << ": "
                    << (doc.ok() ? "version " + std::to_string(doc->version)
                                 : doc.status().ToString());
      if (missing > 5) return;
    }
  }
}

TEST_F(DocdbdTest, AcknowledgedWritesSurviveSigkillUnderLoad) {
  ASSERT_TRUE(process_.Start());
  Acknowledged acked;
  {
    WriteLoad load(socket_path_, &acked);
    acked.WaitForAtLeast(2000);
    process_.Kill(SIGKILL);
    EXPECT_EQ(process_.Wait(), 128 + SIGKILL);
  }
  const std::map<std::string, uint64_t> before = acked.Snapshot();
  ASSERT_GE(before.size(), 2000u);
  ASSERT_TRUE(process_.Start()) << "a killed server's stale socket is replaced";
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ExpectAllPresent(*client, before);
}

TEST_F(DocdbdTest, SigtermUnderLoadAnswersEveryRequestAndLosesNothing) {
  ASSERT_TRUE(process_.Start());
  Acknowledged acked;
  uint64_t submitted = 0;
  uint64_t answered = 0;
  {
    WriteLoad load(socket_path_, &acked);
    acked.WaitForAtLeast(2000);
    process_.Kill(SIGTERM);
    EXPECT_EQ(process_.Wait(), 0) << "a graceful shutdown exits 0";
    // ~WriteLoad returns only once every writer has had every answer.
    submitted = load.submitted();
    answered = load.answered();
  }
  EXPECT_EQ(answered, submitted) << "no request is left hanging";
  EXPECT_FALSE(std::filesystem::exists(socket_path_)) << "the socket is removed";
  ASSERT_TRUE(process_.Start());
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ExpectAllPresent(*client, acked.Snapshot());
  Result<std::unique_ptr<DB>> db = client->OpenDatabase("default");
  Result<Stats> stats = (*db)->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->recovery.records_replayed, 0u) << "the shutdown checkpointed";
}

TEST_F(DocdbdTest, AnotherUserIsRefusedByTheSocketMode) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run a client as another user";
  const testing::CommandResult tools =
      testing::RunCommand("/bin/sh", "-c 'command -v setpriv && command -v python3'");
  if (tools.exit_code != 0) GTEST_SKIP() << "needs setpriv and python3";
  ASSERT_TRUE(process_.Start());
  // Let everyone reach the socket file itself, so that only its own mode decides.
  ASSERT_EQ(::chmod(socket_dir_.path().c_str(), 0755), 0);
  const std::string connect =
      "python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' " +
      socket_path_;
  const testing::CommandResult as_owner = testing::RunCommand("/bin/sh", "-c \"" + connect + "\"");
  EXPECT_EQ(as_owner.exit_code, 0) << as_owner.out;
  const testing::CommandResult as_nobody =
      testing::RunCommand("setpriv", "--reuid=65534 --regid=65534 --clear-groups " + connect);
  EXPECT_NE(as_nobody.exit_code, 0);
  EXPECT_NE(as_nobody.out.find("Permission denied"), std::string::npos) << as_nobody.out;
}

TEST_F(DocdbdTest, TheBenchmarksLoadGeneratorRunsCleanAgainstIt) {
#ifndef DOCDB_LOAD_PATH
  GTEST_SKIP() << "this build has no benchmarks";
#else
  ASSERT_TRUE(process_.Start());
  const testing::CommandResult run = testing::RunCommand(
      DOCDB_LOAD_PATH,
      "--socket " + socket_path_ +
          " --workload mixed -c 4 -P 8 --records 300 --load --requests 2000 --json");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(R"("errors":0)"), std::string::npos) << run.out;
  auto client = Connect();
  Result<std::unique_ptr<DB>> db = client->OpenDatabase("default");
  EXPECT_EQ(*(*db)->Count("default"), 300u) << "the load put every record once";
#endif
}

TEST_F(DocdbdTest, ConfigurationErrorsNameTheKeyAndFlagsOverrideTheFile) {
  const std::string config = dir_.Join("docdb.toml");
  testing::WriteFileOrDie(config, "[server]\nio_threads = 3\n[engine]\ndurability = \"none\"\n");
  testing::CommandResult printed = testing::RunCommand(
      DOCDBD_PATH, "--config " + config + " --set server.io_threads=5 --print-config");
  EXPECT_EQ(printed.exit_code, 0) << printed.out;
  EXPECT_NE(printed.out.find("io_threads = 5"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("durability = 'none'"), std::string::npos) << printed.out;

  testing::WriteFileOrDie(config, "[server]\nio_thread = 3\n");
  testing::CommandResult unknown = testing::RunCommand(DOCDBD_PATH, "--config " + config);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("unknown configuration key 'server.io_thread'"), std::string::npos)
      << unknown.out;
  testing::WriteFileOrDie(config, "[engine]\ndurability = \"sometimes\"\n");
  testing::CommandResult bad = testing::RunCommand(DOCDBD_PATH, "--config " + config);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("'engine.durability'"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("expected one of sync, periodic, none"), std::string::npos) << bad.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("data"))) << "a bad configuration starts nothing";
}

}  // namespace
}  // namespace docdb
