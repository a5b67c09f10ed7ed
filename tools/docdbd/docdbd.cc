// docdbd: DocDB's server (docs/server.md). Serves the databases under a data directory
// on a Unix socket until SIGTERM or SIGINT, then shuts down gracefully; a second signal
// exits at once (the WAL covers every acknowledged write).
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ipc/server.h"
#include "ipc/server_config.h"

namespace {

int Fail(const docdb::Status& status) {
  std::cerr << "docdbd: " << status.ToString() << "\n";
  return 1;
}

docdb::Status LoadConfigFile(const std::string& path, docdb::ipc::ServerConfig* config) {
  std::ifstream in(path);
  if (!in) return docdb::Status::NotFound("cannot read configuration file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return docdb::ipc::ApplyConfigToml(text.str(), path, config);
}

// Waits for SIGTERM or SIGINT, shuts the server down on another thread, and exits at
// once if a second signal comes before it is done.
int ServeUntilSignalled(docdb::ipc::Server& server, const sigset_t& signals, docdb::Logger& log) {
  int sig = 0;
  sigwait(&signals, &sig);
  log.Log(docdb::LogLevel::kInfo, "signal",
          std::string("received ") + strsignal(sig) +
              ": shutting down (a second signal exits at once)");
  sd_notify(0, "STOPPING=1");
  std::thread shutdown([&server] {
    server.Shutdown();
    kill(getpid(), SIGUSR1);
  });
  sigwait(&signals, &sig);
  if (sig != SIGUSR1) {
    log.Log(docdb::LogLevel::kWarning, "signal",
            std::string("received ") + strsignal(sig) +
                " again: exiting now; the next start recovers from the WAL");
    _exit(2);
  }
  shutdown.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"docdbd: the DocDB server (docs/server.md)"};
  app.set_version_flag("--version", "docdbd " DOCDB_VERSION);
  std::string data_dir;
  std::string socket;
  std::string config_file;
  std::vector<std::string> settings;
  bool print_config = false;
  app.add_option("--data-dir", data_dir, "Directory of the databases (default ./data)");
  app.add_option("--socket", socket, "Unix socket path (default <data-dir>/docdb.sock)");
  app.add_option("--config", config_file, "TOML configuration file (docs/configuration.md)");
  app.add_option("--set", settings, "Override one option: name=value (repeatable)");
  app.add_flag("--print-config", print_config, "Print the effective configuration and exit");
  CLI11_PARSE(app, argc, argv);

  // Flags override the file, which overrides the defaults.
  docdb::ipc::ServerConfig config;
  if (!config_file.empty()) {
    if (docdb::Status s = LoadConfigFile(config_file, &config); !s.ok()) return Fail(s);
  }
  for (const std::string& setting : settings) {
    if (docdb::Status s = docdb::ipc::ApplyConfigSetting(setting, &config); !s.ok()) return Fail(s);
  }
  if (!data_dir.empty()) config.server.data_dir = data_dir;
  if (!socket.empty()) config.server.socket_path = socket;
  if (print_config) {
    std::cout << docdb::ipc::ConfigToToml(config);
    return 0;
  }

  // Every file and directory DocDB creates is the owner's alone.
  umask(077);
  signal(SIGPIPE, SIG_IGN);
  // Blocked before any thread starts, so that every thread inherits the mask and the
  // signals reach sigwait only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::shared_ptr<docdb::Logger> logger =
      docdb::ipc::NewSpdlogLogger(config.log_level, config.log_format);
  config.server.db.logger = logger;
  docdb::Result<std::unique_ptr<docdb::ipc::Server>> server =
      docdb::ipc::Server::Start(config.server, logger);
  if (!server.ok()) return Fail(server.status());
  sd_notify(0, "READY=1");
  return ServeUntilSignalled(**server, signals, *logger);
}
