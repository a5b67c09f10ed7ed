# Warning and sanitizer flags shared by every DocDB target, through docdb_compile_options.
add_library(docdb_compile_options INTERFACE)
target_compile_options(docdb_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${DOCDB_WERROR}>:-Werror>)

if(DOCDB_SANITIZE STREQUAL "address")
  set(_docdb_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(DOCDB_SANITIZE STREQUAL "thread")
  set(_docdb_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT DOCDB_SANITIZE STREQUAL "")
  message(FATAL_ERROR "DOCDB_SANITIZE must be address, thread or empty, not '${DOCDB_SANITIZE}'")
endif()
if(_docdb_san)
  add_compile_options(${_docdb_san})
  add_link_options(${_docdb_san})
endif()
