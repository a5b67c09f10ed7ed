// Runs a program as a user would from a shell, for tests of DocDB's command-line tools.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace docdb::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when the program did not exit normally
  std::string out;     // stdout and stderr together
};

// Runs `program` with `args` (a shell-quoted argument string) through /bin/sh.
CommandResult RunCommand(const std::string& program, const std::string& args);

// Runs `argv` on a pseudo-terminal, as a person would, with `env` set (name, value) and
// `keys` typed; returns what the terminal showed once the program exits (at most 20 s
// without output).
CommandResult RunOnTerminal(const std::vector<std::string>& argv,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            const std::string& keys);

}  // namespace docdb::testing
