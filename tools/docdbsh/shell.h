// docdbsh's commands (docs/shell.md): one line (or a multi-line JSON argument) at a
// time against the current database and collection. Output goes to `out`, errors to
// `err`. Thread-safety: one thread.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "docdb/db.h"
#include "tools/common/backend.h"

namespace docdb::shell {

using tools::Backend;

enum class OutputMode { kPretty, kJson, kJsonl, kTable };

// What running a command came to.
enum class Outcome {
  kOk,
  kFailed,          // the command failed; the shell goes on
  kConnectionLost,  // the server is gone: exit code 3
  kExit,            // .exit
};

class Shell {
 public:
  Shell(std::unique_ptr<Backend> backend, std::ostream& out, std::ostream& err);

  // Opens the first database; the error when it cannot be opened.
  Status Start(const std::string& db);

  // Runs one command (a line, or lines joined while a JSON argument's brackets were
  // open). Blank lines and lines starting with '#' or "--" do nothing.
  Outcome Run(const std::string& command);

  void set_mode(OutputMode mode) { mode_ = mode; }
  // --json: every command prints exactly one JSON object on standard output,
  // {"ok":true,...} or {"ok":false,"code":...,"message":...}.
  void set_envelope(bool on) { envelope_ = on; }
  int exit_code() const { return exit_code_; }
  // Where the databases are: "docdbd 0.1.0 at ./data/docdb.sock", "data directory ./data".
  std::string Describe() const { return backend_->Describe(); }
  // The prompt: "<db>/<collection>> ".
  std::string Prompt() const;
  // Command names, and collection names and document IDs of the current database,
  // starting with `prefix`, for tab completion.
  std::vector<std::string> Complete(const std::string& line_so_far, const std::string& prefix);
  // Commands from a file (.source), through `run_line`, which the caller's line reader
  // provides so that multi-line arguments work the same.
  std::function<Outcome(const std::string& path)> source_file;

 private:
  struct Command {
    const char* name;
    const char* usage;
    const char* help;
    Outcome (Shell::*run)(const std::string& args);
  };
  static const std::vector<Command>& Commands();
  static const std::map<std::string, std::string>& Aliases();
  const Command* Find(const std::string& name) const;

  // Prints a result, a JSON object, in the current mode.
  void Print(const std::string& object);
  Outcome Fail(const Status& status);
  Outcome Report(const Status& status);
  // The JSON argument: the text itself, or the file named by "@path".
  Result<std::string> JsonArgument(const std::string& text) const;
  // Splits "<id> <json>".
  Result<std::pair<std::string, std::string>> IdAndJson(const std::string& args) const;
  // Adds a write to the open batch, or runs it now; prints its version.
  Outcome Write(WriteBatch::OpKind kind, const std::string& id, const std::string& json);

  Outcome Help(const std::string& args);
  Outcome Exit(const std::string& args);
  Outcome OpenDb(const std::string& args);
  Outcome CloseDb(const std::string& args);
  Outcome ListDbs(const std::string& args);
  Outcome CreateCollection(const std::string& args);
  Outcome DropCollection(const std::string& args);
  Outcome ListCollections(const std::string& args);
  Outcome UseCollection(const std::string& args);
  Outcome Pwd(const std::string& args);
  Outcome Insert(const std::string& args);
  Outcome Put(const std::string& args);
  Outcome Update(const std::string& args);
  Outcome Get(const std::string& args);
  Outcome Delete(const std::string& args);
  Outcome Patch(const std::string& args);
  Outcome Merge(const std::string& args);
  Outcome Scan(const std::string& args);
  Outcome Count(const std::string& args);
  Outcome Begin(const std::string& args);
  Outcome Commit(const std::string& args);
  Outcome Abort(const std::string& args);
  Outcome Stats(const std::string& args);
  Outcome Heal(const std::string& args);
  Outcome HealAll(const std::string& args);
  Outcome HealStats(const std::string& args);
  Outcome Checkpoint(const std::string& args);
  Outcome Mode(const std::string& args);
  Outcome Pretty(const std::string& args);
  Outcome Timer(const std::string& args);
  Outcome Source(const std::string& args);
  Outcome Metrics(const std::string& args);
  Outcome Memory(const std::string& args);
  Outcome Wal(const std::string& args);

  std::unique_ptr<Backend> backend_;
  std::ostream& out_;
  std::ostream& err_;
  std::string db_name_;
  std::unique_ptr<DB> db_;
  std::string collection_ = "default";
  OutputMode mode_ = OutputMode::kPretty;
  bool timer_ = false;
  bool envelope_ = false;
  bool printed_ = false;             // the current command has printed its result
  std::optional<WriteBatch> batch_;  // between .begin and .commit
  int exit_code_ = 0;
};

}  // namespace docdb::shell
