// DOCDB_FUZZ_CHECK for the fuzz targets: aborts, naming the broken invariant, so that
// libFuzzer saves the input as a crash. Thread-safety: n/a.
#pragma once

#include <cstdio>
#include <cstdlib>

// A macro rather than a function so that the message carries the condition's text and line.
#define DOCDB_FUZZ_CHECK(condition)                                                                \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      (void)std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)
