// The YCSB user record as a JSON document, its keys, and the check that a document read
// back is a genuine version of the record under that key (docs/performance-ycsb.md,
// "Correctness"). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "docdb/status.h"

namespace docdb::ycsb {

constexpr int kFieldCount = 10;        // YCSB's fieldcount
constexpr int kFieldValueBytes = 100;  // YCSB's fieldlength

// YCSB's key for record number `keynum` with hashed insert order: "user" + fnvhash64.
std::string UserKey(int64_t keynum);

// "field0" .. "field9".
std::string FieldName(int field);

// The 100-byte value of `field` in version `generation` of the record under `key`. It
// starts with "<key>:<field>:<generation>:", so that a value is tied to its record, and
// the rest is filler derived from that prefix.
std::string FieldValue(std::string_view key, int field, uint64_t generation);

// {"_id":"<key>","field0":"<value>",...,"field9":"<value>"}, minified, generation 0.
std::string UserRecord(std::string_view key);

// Replaces the string value of member `field` of a minified record in place.
// InvalidArgument when the record has no such string member.
Status ReplaceField(std::string* doc, std::string_view field, std::string_view value);

// OK when `doc` is, byte for byte, a record for `key` as UserRecord builds it, with any
// of its fields replaced by a FieldValue of the same key and field (a later version).
// Corruption naming the first difference otherwise.
Status VerifyUserRecord(std::string_view key, std::string_view doc);

}  // namespace docdb::ycsb
