// Reading the Prometheus text DocDB exposes, for tests of its metrics
// (docs/observability.md): a series' value, series that appear twice, and promtool's lint.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace docdb::testing {

// The value of the series written exactly `series` (name and labels as exposed, such as
// `docdb_documents{db="default"}`), or nullopt when it is not there.
std::optional<double> SeriesValue(const std::string& text, const std::string& series);

// Every series (name and labels) that appears more than once.
std::vector<std::string> RepeatedSeries(const std::string& text);

// The exposition without the lines of series whose name starts with `prefix`, and
// without their HELP and TYPE lines.
std::string WithoutSeries(const std::string& text, const std::string& prefix);

// What `promtool check metrics` says about `text`: empty when it passes with no lint
// finding, else its output and exit code.
std::string PromtoolFindings(const std::string& text);

}  // namespace docdb::testing
