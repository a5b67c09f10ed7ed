// Damaging a database's files as a failing disk would, for tests of detection and
// healing (docs/healing.md).
#pragma once

#include <string>

namespace docdb::testing {

// Flips one byte of every copy of `marker` in the data segments of the database in
// `db_dir`, writing through the files; returns how many copies it damaged.
int DamageDataSegments(const std::string& db_dir, const std::string& marker);

}  // namespace docdb::testing
