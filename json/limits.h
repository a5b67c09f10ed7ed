// JsonLimits: the size and nesting limits every JSON body, patch and patch result must
// keep (docs/json.md, "Validation"). Thread-safety: a plain value type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace docdb::json {

// DESIGN.md: a body is at most 16 MiB.
inline constexpr size_t kDefaultMaxJsonBytes = size_t{16} << 20;
// Deep enough for any document a person designs, shallow enough that code walking the tree
// recursively never comes near the end of a thread's stack.
inline constexpr uint32_t kDefaultMaxJsonDepth = 128;

struct JsonLimits {
  // The most bytes a JSON text may have, counted as given (whitespace included). Must stay
  // below 4 GiB, the longest string RapidJSON can hold.
  size_t max_bytes = kDefaultMaxJsonBytes;
  // The most arrays and objects nested in one another: `1` has depth 0, `[1]` and `{}`
  // depth 1, `[[1]]` depth 2. Reading never recurses, but the patch code walks trees
  // recursively, one small frame per level: keep this in the hundreds, not the millions.
  uint32_t max_depth = kDefaultMaxJsonDepth;
};

}  // namespace docdb::json
