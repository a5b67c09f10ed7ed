#!/usr/bin/env bash
# Builds DocDB and runs every test, installing what is missing first:
#   debug   all tests (warnings are errors)
#   asan    all tests but those labelled `slow` (the debug step runs them) under
#           AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan    the tests labelled `concurrency` under ThreadSanitizer
#   fuzz    each libFuzzer target for DOCDB_FUZZ_SECONDS (default 20) with clang
# Exits non-zero on the first failure. `scripts/test.sh --quick` runs the debug step only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

quick=0
[ "${1:-}" = "--quick" ] && quick=1

step() {
  local preset=$1
  shift
  echo "== ${preset}: configure, build, test"
  cmake --preset "$preset" "$@" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
}

step debug
if [ "$quick" -eq 0 ]; then
  step asan
  step tsan
  step fuzz -DDOCDB_FUZZ_SECONDS="${DOCDB_FUZZ_SECONDS:-20}"
fi
echo "== all test steps passed"
