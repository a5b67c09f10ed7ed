#include "tests/support/damage.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "io/file_names.h"

namespace docdb::testing {

int DamageDataSegments(const std::string& db_dir, const std::string& marker) {
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(io::DataDirPath(db_dir))) {
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (size_t at = bytes.find(marker); at != std::string::npos; at = bytes.find(marker, at + 1)) {
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(bytes[at] ^ 0x20));
      ++damaged;
    }
  }
  return damaged;
}

}  // namespace docdb::testing
