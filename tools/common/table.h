// Aligned text tables for the tools' human-readable output (docs/shell.md, docs/admin.md):
// a header line, then one line per row, columns two spaces apart. Thread-safety: a pure
// function on the caller's stream.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace docdb::tools {

void PrintTable(std::ostream& out, const std::vector<std::string>& columns,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace docdb::tools
