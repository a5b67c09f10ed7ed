// docdbsh: DocDB's shell for queries and patches (docs/shell.md). Talks to docdbd, or
// opens a data directory itself; interactive with line editing (libedit), or runs
// commands from -c, -f or standard input.
#include <editline/readline.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "tools/common/backend.h"
#include "tools/common/json_text.h"
#include "tools/docdbsh/shell.h"

namespace {

using docdb::shell::Outcome;
using docdb::shell::Shell;

// Exit codes (docs/shell.md).
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConnectionLost = 3;

// Reads commands; a JSON argument whose brackets are still open continues on the next
// line.
class CommandReader {
 public:
  virtual ~CommandReader() = default;
  virtual std::optional<std::string> NextLine(bool continuation) = 0;

  std::optional<std::string> NextCommand() {
    std::optional<std::string> line = NextLine(false);
    if (!line) return std::nullopt;
    std::string command = *line;
    while (docdb::tools::OpenBrackets(command) > 0) {
      std::optional<std::string> more = NextLine(true);
      if (!more) break;
      command += "\n" + *more;
    }
    return command;
  }
};

class StreamReader : public CommandReader {
 public:
  explicit StreamReader(std::istream& in) : in_(in) {}
  std::optional<std::string> NextLine(bool) override {
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    return line;
  }

 private:
  std::istream& in_;
};

Shell* completing_shell = nullptr;
std::vector<std::string> completions;

char* NextCompletion(const char* text, int state) {
  if (state == 0)
    completions = completing_shell->Complete(std::string(rl_line_buffer, rl_point), text);
  if (static_cast<size_t>(state) >= completions.size()) return nullptr;
  return strdup(completions[state].c_str());
}

char** CompleteWord(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  return rl_completion_matches(text, NextCompletion);
}

// Interactive input through libedit, with history and completion.
class EditlineReader : public CommandReader {
 public:
  EditlineReader(Shell& shell, std::string history_path)
      : shell_(shell), history_path_(std::move(history_path)) {
    completing_shell = &shell_;
    rl_attempted_completion_function = CompleteWord;
    read_history(history_path_.c_str());
    const char* no_color = std::getenv("NO_COLOR");
    colour_ = no_color == nullptr || *no_color == '\0';
  }
  ~EditlineReader() override { write_history(history_path_.c_str()); }

  std::optional<std::string> NextLine(bool continuation) override {
    std::string prompt = continuation ? "...> " : shell_.Prompt();
    // The colour codes are bracketed by \1 (libedit's readline interface takes the same
    // byte to open and close), so that they do not count as columns of the prompt.
    // (A literal run at the very end of the prompt is dropped: the last space follows it.)
    if (colour_ && !continuation) {
      prompt = "\1\x1b[1;32m\1" + prompt.substr(0, prompt.size() - 1) + "\1\x1b[0m\1 ";
    }
    char* line = readline(prompt.c_str());
    if (line == nullptr) return std::nullopt;
    std::string text(line);
    std::free(line);
    if (!text.empty()) add_history(text.c_str());
    return text;
  }

 private:
  Shell& shell_;
  std::string history_path_;
  bool colour_ = true;
};

std::string HistoryPath() {
  if (const char* path = std::getenv("DOCDBSH_HISTORY")) return path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.docdbsh_history";
}

// Runs every command `reader` gives; returns the exit code, or nullopt to go on.
std::optional<int> RunAll(Shell& shell, CommandReader& reader, bool bail) {
  while (std::optional<std::string> command = reader.NextCommand()) {
    switch (shell.Run(*command)) {
      case Outcome::kOk:
        break;
      case Outcome::kFailed:
        if (bail) return kExitFailed;
        break;
      case Outcome::kConnectionLost:
        return kExitConnectionLost;
      case Outcome::kExit:
        return shell.exit_code();
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"docdbsh: DocDB's shell for queries and patches (docs/shell.md)"};
  app.set_version_flag("--version", "docdbsh " DOCDB_VERSION);
  std::string socket;
  std::string data_dir;
  std::string db = "default";
  std::vector<std::string> commands;
  std::string file;
  bool json = false;
  bool bail = false;
  auto* socket_opt =
      app.add_option("--socket", socket, "docdbd's socket (default ./data/docdb.sock)");
  app.add_option("--data-dir", data_dir, "Open the databases under DIR in this process instead")
      ->excludes(socket_opt);
  app.add_option("--db", db, "The database to start in (default: default)");
  app.add_option("-c", commands, "Run this command (repeatable), then exit");
  app.add_option("-f", file, "Run the commands in FILE, then exit");
  app.add_flag("--json", json,
               "Each command prints exactly one JSON object: {\"ok\":true,...} or "
               "{\"ok\":false,\"code\":...,\"message\":...}");
  app.add_flag("--bail", bail, "Stop at the first command that fails");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  docdb::Result<std::unique_ptr<docdb::tools::Backend>> backend =
      docdb::tools::OpenBackend(socket, data_dir);
  if (!backend.ok()) {
    std::cerr << "docdbsh: " << backend.status().ToString()
              << "\n(is docdbd running? or use --data-dir DIR to open a database directly)\n";
    return kExitConnectionLost;
  }
  Shell shell(*std::move(backend), std::cout, std::cerr);
  const bool interactive = commands.empty() && file.empty() && isatty(STDIN_FILENO);
  shell.set_mode(isatty(STDOUT_FILENO) ? docdb::shell::OutputMode::kPretty
                                       : docdb::shell::OutputMode::kJson);
  shell.set_envelope(json);
  if (docdb::Status started = shell.Start(db); !started.ok()) {
    std::cerr << "docdbsh: " << started.ToString() << "\n";
    return started.code() == docdb::StatusCode::kUnavailable ? kExitConnectionLost : kExitFailed;
  }
  shell.source_file = [&shell, bail](const std::string& path) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "error: not_found: cannot read " << path << "\n";
      return Outcome::kFailed;
    }
    StreamReader reader(in);
    const std::optional<int> code = RunAll(shell, reader, bail);
    if (code == kExitConnectionLost) return Outcome::kConnectionLost;
    if (code) return code == kExitFailed ? Outcome::kFailed : Outcome::kExit;
    return shell.exit_code() == 0 ? Outcome::kOk : Outcome::kFailed;
  };

  std::optional<int> code;
  if (!commands.empty()) {
    for (const std::string& command : commands) {
      std::istringstream in(command);
      StreamReader reader(in);
      code = RunAll(shell, reader, bail);
      if (code) break;
    }
  } else if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "docdbsh: cannot read " << file << "\n";
      return kExitUsage;
    }
    StreamReader reader(in);
    code = RunAll(shell, reader, bail);
  } else if (interactive) {
    std::cout << "docdbsh " DOCDB_VERSION " on " << shell.Describe()
              << ". Try: .insert alice {\"name\": \"Alice\"}  then  .get alice   "
                 "(.help lists the commands, .exit leaves)\n";
    EditlineReader reader(shell, HistoryPath());
    code = RunAll(shell, reader, /*bail=*/false);
    if (!code) std::cout << "\n";
    if (!code) code = 0;  // interactively, a failed command does not make the session fail
  } else {
    StreamReader reader(std::cin);
    code = RunAll(shell, reader, bail);
  }
  return code.value_or(shell.exit_code());
}
