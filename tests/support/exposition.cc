// Exposition helpers (tests/support/exposition.h).
#include "tests/support/exposition.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace docdb::testing {
namespace {

// The name of the series or family a line is about: for "# TYPE name ...", name.
std::string NameOf(const std::string& line) {
  if (line.rfind("# ", 0) == 0) {
    std::istringstream words(line.substr(2));
    std::string kind, name;
    words >> kind >> name;
    return name;
  }
  return line.substr(0, line.find_first_of("{ "));
}

}  // namespace

std::optional<double> SeriesValue(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

std::vector<std::string> RepeatedSeries(const std::string& text) {
  std::map<std::string, int> seen;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    ++seen[line.substr(0, line.rfind(' '))];
  }
  std::vector<std::string> out;
  for (const auto& [series, n] : seen) {
    if (n > 1) out.push_back(series);
  }
  return out;
}

std::string WithoutSeries(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (NameOf(line).rfind(prefix, 0) != 0) out += line + "\n";
  }
  return out;
}

std::string PromtoolFindings(const std::string& text) {
  TempDir dir;
  const std::string file = dir.Join("metrics.txt");
  std::ofstream(file) << text;
  const CommandResult run = RunCommand("promtool", "check metrics < " + file);
  if (run.exit_code == 0 && run.out.empty()) return "";
  return "promtool exit " + std::to_string(run.exit_code) + ": " + run.out;
}

}  // namespace docdb::testing
