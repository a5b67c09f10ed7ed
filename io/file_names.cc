// DocDB's file names (io/file_names.h).
#include "io/file_names.h"

#include "io/file_system.h"

namespace docdb::io {
namespace {

constexpr std::string_view kWalPrefix = "wal-";
constexpr std::string_view kWalSuffix = ".log";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::string_view kDataPrefix = "seg-";
constexpr std::string_view kDataSuffix = ".dat";

std::string NumberedName(std::string_view prefix, uint64_t number, std::string_view suffix) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return std::string(prefix) + digits + std::string(suffix);
}

// The number in prefix<digits>suffix, spelled exactly as NumberedName spells it.
std::optional<uint64_t> ParseNumberedName(std::string_view name, std::string_view prefix,
                                          std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
  const std::string_view digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() < 6 || digits.size() > 20) return std::nullopt;
  uint64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (number > (UINT64_MAX - digit) / 10) return std::nullopt;
    number = number * 10 + digit;
  }
  if (NumberedName(prefix, number, suffix) != name) return std::nullopt;
  return number;
}

}  // namespace

std::string WalDirPath(std::string_view db_dir) { return JoinPath(db_dir, "wal"); }

std::string WalSegmentFileName(uint64_t number) {
  return NumberedName(kWalPrefix, number, kWalSuffix);
}

std::string WalSegmentPath(std::string_view wal_dir, uint64_t number) {
  return JoinPath(wal_dir, WalSegmentFileName(number));
}

std::string WalSegmentTempPath(std::string_view wal_dir, uint64_t number) {
  return WalSegmentPath(wal_dir, number) + std::string(kTempSuffix);
}

std::optional<uint64_t> ParseWalSegmentFileName(std::string_view name) {
  return ParseNumberedName(name, kWalPrefix, kWalSuffix);
}

std::string DataDirPath(std::string_view db_dir) { return JoinPath(db_dir, "data"); }

std::string DataSegmentFileName(uint64_t number) {
  return NumberedName(kDataPrefix, number, kDataSuffix);
}

std::string DataSegmentPath(std::string_view data_dir, uint64_t number) {
  return JoinPath(data_dir, DataSegmentFileName(number));
}

std::optional<uint64_t> ParseDataSegmentFileName(std::string_view name) {
  return ParseNumberedName(name, kDataPrefix, kDataSuffix);
}

std::string CheckpointFilePath(std::string_view db_dir) { return JoinPath(db_dir, "checkpoint"); }

std::string CheckpointTempPath(std::string_view db_dir) {
  return JoinPath(db_dir, "checkpoint.tmp");
}

std::string IndexDirPath(std::string_view db_dir) { return JoinPath(db_dir, "index"); }

std::string IndexDataFilePath(std::string_view db_dir) {
  return JoinPath(IndexDirPath(db_dir), "data.mdb");
}

std::string LockFilePath(std::string_view db_dir) { return JoinPath(db_dir, "LOCK"); }

bool IsWalTempFileName(std::string_view name) {
  return name.ends_with(kTempSuffix) &&
         ParseWalSegmentFileName(name.substr(0, name.size() - kTempSuffix.size())).has_value();
}

}  // namespace docdb::io
