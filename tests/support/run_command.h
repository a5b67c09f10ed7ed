// Runs a program as a user would from a shell, for tests of DocDB's command-line tools.
#pragma once

#include <string>

namespace docdb::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when the program did not exit normally
  std::string out;     // stdout and stderr together
};

// Runs `program` with `args` (a shell-quoted argument string) through /bin/sh.
CommandResult RunCommand(const std::string& program, const std::string& args);

}  // namespace docdb::testing
