// Numeric equality of JSON numbers kept as text, decided exactly in decimal so that no
// number goes through `double` (docs/patch.md, "test"). Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace docdb::json {

// True when the JSON numbers `a` and `b` (RFC 8259 number grammar, as the reader checked
// them) denote the same value: 1, 1.0, 10e-1 and 0.1E+1 are all equal, -0 equals 0, and
// 12345678901234567890123 differs from 12345678901234567890124 as it should.
bool JsonNumbersEqual(std::string_view a, std::string_view b);

}  // namespace docdb::json
