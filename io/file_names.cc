// DocDB's file names (io/file_names.h).
#include "io/file_names.h"

#include <cstdio>

#include "io/file_system.h"

namespace docdb::io {
namespace {

constexpr std::string_view kWalPrefix = "wal-";
constexpr std::string_view kWalSuffix = ".log";
constexpr std::string_view kTempSuffix = ".tmp";

}  // namespace

std::string WalDirPath(std::string_view db_dir) { return JoinPath(db_dir, "wal"); }

std::string WalSegmentFileName(uint64_t number) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "wal-%06llu.log", static_cast<unsigned long long>(number));
  return buf;
}

std::string WalSegmentPath(std::string_view wal_dir, uint64_t number) {
  return JoinPath(wal_dir, WalSegmentFileName(number));
}

std::string WalSegmentTempPath(std::string_view wal_dir, uint64_t number) {
  return WalSegmentPath(wal_dir, number) + std::string(kTempSuffix);
}

std::optional<uint64_t> ParseWalSegmentFileName(std::string_view name) {
  if (!name.starts_with(kWalPrefix) || !name.ends_with(kWalSuffix)) return std::nullopt;
  const std::string_view digits =
      name.substr(kWalPrefix.size(), name.size() - kWalPrefix.size() - kWalSuffix.size());
  if (digits.size() < 6 || digits.size() > 20) return std::nullopt;
  uint64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (number > (UINT64_MAX - digit) / 10) return std::nullopt;
    number = number * 10 + digit;
  }
  // Exactly the spelling WalSegmentFileName gives, so that one number has one name.
  if (WalSegmentFileName(number) != name) return std::nullopt;
  return number;
}

bool IsWalTempFileName(std::string_view name) {
  return name.ends_with(kTempSuffix) &&
         ParseWalSegmentFileName(name.substr(0, name.size() - kTempSuffix.size())).has_value();
}

}  // namespace docdb::io
