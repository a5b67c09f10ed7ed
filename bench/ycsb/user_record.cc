// The YCSB user record (user_record.h).
#include "bench/ycsb/user_record.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "bench/ycsb/zipfian_generator.h"
#include "common/status_macros.h"

namespace docdb::ycsb {
namespace {

// Filler bytes after the value's prefix: lower-case letters from an LCG seeded by the
// prefix's hash, so that each version of each field has its own recognisable content.
class Filler {
 public:
  explicit Filler(uint64_t seed) : state_(seed) {}
  char Next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    // The high 32 bits scaled to [0, 26) without a division: this runs for every byte
    // of every verified read.
    return static_cast<char>('a' + (((state_ >> 32) * 26) >> 32));
  }

 private:
  uint64_t state_;
};

uint64_t HashBytes(std::string_view bytes) {
  uint64_t hash = 0xCBF29CE484222325ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// Checks one field value: its prefix names `key` and `field`, and its filler is the one
// FieldValue derives from that prefix.
Status VerifyFieldValue(std::string_view key, int field, std::string_view value) {
  static_assert(kFieldCount <= 10, "a field number is one digit");
  const char field_tag_bytes[] = {':', static_cast<char>('0' + field), ':'};
  const std::string_view field_tag(field_tag_bytes, sizeof(field_tag_bytes));
  const size_t prefix_bytes = key.size() + field_tag.size();
  if (!value.starts_with(key) || value.substr(key.size(), field_tag.size()) != field_tag) {
    return Status::Corruption("field" + std::to_string(field) + " of " + std::string(key) +
                              " belongs to another record: " + std::string(value.substr(0, 40)));
  }
  const size_t generation_end = value.find(':', prefix_bytes);
  uint64_t generation = 0;
  const char* first = value.data() + prefix_bytes;
  const char* last = value.data() + (generation_end == std::string_view::npos ? 0 : generation_end);
  if (generation_end == std::string_view::npos ||
      std::from_chars(first, last, generation).ptr != last) {
    return Status::Corruption("field" + std::to_string(field) + " of " + std::string(key) +
                              " has no generation");
  }
  Filler filler(HashBytes(value.substr(0, generation_end + 1)));
  const bool filler_ok = value.size() == static_cast<size_t>(kFieldValueBytes) &&
                         std::all_of(value.begin() + static_cast<ptrdiff_t>(generation_end + 1),
                                     value.end(), [&](char c) { return c == filler.Next(); });
  if (!filler_ok) {
    return Status::Corruption("field" + std::to_string(field) + " of " + std::string(key) +
                              " has wrong bytes in generation " + std::to_string(generation));
  }
  return Status::OK();
}

// Consumes `expected` from the front of *rest, or fails naming what was found.
Status Expect(std::string_view key, std::string_view* rest, std::string_view expected) {
  if (rest->substr(0, expected.size()) != expected) {
    return Status::Corruption("record " + std::string(key) + ": expected '" +
                              std::string(expected) + "' at '" + std::string(rest->substr(0, 40)) +
                              "'");
  }
  rest->remove_prefix(expected.size());
  return Status::OK();
}

}  // namespace

std::string UserKey(int64_t keynum) { return "user" + std::to_string(FnvHash64(keynum)); }

std::string FieldName(int field) { return "field" + std::to_string(field); }

std::string FieldValue(std::string_view key, int field, uint64_t generation) {
  std::string value =
      std::string(key) + ":" + std::to_string(field) + ":" + std::to_string(generation) + ":";
  Filler filler(HashBytes(value));
  while (value.size() < static_cast<size_t>(kFieldValueBytes)) value.push_back(filler.Next());
  return value;
}

std::string UserRecord(std::string_view key) {
  std::string doc = "{\"_id\":\"" + std::string(key) + "\"";
  for (int f = 0; f < kFieldCount; ++f) {
    doc += ",\"" + FieldName(f) + "\":\"" + FieldValue(key, f, 0) + "\"";
  }
  return doc + "}";
}

Status ReplaceField(std::string* doc, std::string_view field, std::string_view value) {
  const std::string member = "\"" + std::string(field) + "\":\"";
  const size_t start = doc->find(member);
  if (start == std::string::npos) {
    return Status::InvalidArgument("document has no string member " + std::string(field));
  }
  const size_t value_start = start + member.size();
  // Record values never contain quotes or escapes, so the next quote ends the value.
  const size_t value_end = doc->find('"', value_start);
  if (value_end == std::string::npos) {
    return Status::InvalidArgument("unterminated value of " + std::string(field));
  }
  doc->replace(value_start, value_end - value_start, value);
  return Status::OK();
}

Status VerifyUserRecord(std::string_view key, std::string_view doc) {
  std::string_view rest = doc;
  DOCDB_RETURN_IF_ERROR(Expect(key, &rest, "{\"_id\":\""));
  DOCDB_RETURN_IF_ERROR(Expect(key, &rest, key));
  DOCDB_RETURN_IF_ERROR(Expect(key, &rest, "\""));
  static const std::array<std::string, kFieldCount> kMemberStarts = [] {
    std::array<std::string, kFieldCount> starts;
    for (int f = 0; f < kFieldCount; ++f) starts[f] = ",\"" + FieldName(f) + "\":\"";
    return starts;
  }();
  for (int f = 0; f < kFieldCount; ++f) {
    DOCDB_RETURN_IF_ERROR(Expect(key, &rest, kMemberStarts[f]));
    DOCDB_RETURN_IF_ERROR(VerifyFieldValue(key, f, rest.substr(0, kFieldValueBytes)));
    rest.remove_prefix(std::min<size_t>(rest.size(), kFieldValueBytes));
    DOCDB_RETURN_IF_ERROR(Expect(key, &rest, "\""));
  }
  DOCDB_RETURN_IF_ERROR(Expect(key, &rest, "}"));
  if (!rest.empty()) return Status::Corruption("record " + std::string(key) + ": trailing bytes");
  return Status::OK();
}

}  // namespace docdb::ycsb
