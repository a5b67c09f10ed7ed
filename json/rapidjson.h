// RapidJSON, as the JSON layer (json/reader.cc) and its tests and fuzz targets
// include it (docs/json.md, "Implementation"). Thread-safety: n/a (includes only).
//
// RapidJSON 1.1.0 (Debian 12's) computes `nullptr + n` in internal::Stack::Reserve before a
// stack's first allocation; clang's UndefinedBehaviorSanitizer reports that as undefined
// (pointer-overflow) and, built with -fno-sanitize-recover, aborts. Later RapidJSON
// releases avoid it. Until then that one check is switched off for RapidJSON's own
// functions only: every file of the JSON layer includes RapidJSON through this header and
// before any other header that could include it first.
#pragma once

// RapidJSON's SSE2 scanners (whitespace, unescaped string bytes), for the NUL-terminated
// text json/reader.cc parses; SSE2 is in every x86-64 CPU.
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/error.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#if defined(__clang__)
#pragma clang attribute pop
#endif
