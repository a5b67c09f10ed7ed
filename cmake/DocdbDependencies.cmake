# Every third-party dependency comes from a Debian 12 package (scripts/install-deps.sh).
# C libraries without a CMake package are found through pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
find_package(Threads REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(civetweb CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)

# Debian's RapidJSON config sets only an include directory: wrap it in a target.
find_package(RapidJSON CONFIG REQUIRED)
add_library(docdb_rapidjson INTERFACE)
target_include_directories(docdb_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(docdb_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

if(DOCDB_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(DOCDB_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
