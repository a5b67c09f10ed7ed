// Aligned text tables (tools/common/table.h).
#include "tools/common/table.h"

#include <algorithm>
#include <ostream>

namespace docdb::tools {

void PrintTable(std::ostream& out, const std::vector<std::string>& columns,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const std::string& c : columns) widths.push_back(c.size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      out << cells[i];
      // The last column is not padded, so no line ends in spaces.
      if (i + 1 < cells.size()) out << std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    out << "\n";
  };
  line(columns);
  for (const auto& row : rows) line(row);
}

}  // namespace docdb::tools
