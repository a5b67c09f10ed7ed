// Early-return helpers for Status and Result<T> (internal; not installed).
#pragma once

#include "docdb/status.h"

#define DOCDB_CONCAT_INNER_(a, b) a##b
#define DOCDB_CONCAT_(a, b) DOCDB_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define DOCDB_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::docdb::Status docdb_status_ = (expr);        \
    if (!docdb_status_.ok()) return docdb_status_; \
  } while (false)

// Evaluates a Result<T> `expr`; on error returns its Status, else moves the value to `lhs`
// (which may be a declaration: DOCDB_ASSIGN_OR_RETURN(auto file, fs->OpenFile(...))).
#define DOCDB_ASSIGN_OR_RETURN(lhs, expr) \
  DOCDB_ASSIGN_OR_RETURN_IMPL_(DOCDB_CONCAT_(docdb_result_, __LINE__), lhs, expr)
#define DOCDB_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.ok()) return std::move(result).status();  \
  lhs = std::move(result).value()
