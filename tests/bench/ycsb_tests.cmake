# The record checker and the summary of rounds of docdb-bench (bench/ycsb/,
# docs/performance-ycsb.md), and a smoke test: tiny runs of every engine built in, checking
# correct reads and exit codes, never speed. docdb-bench exists only when the benchmarks
# are built (the sanitizer presets turn them off).
if(DOCDB_BUILD_BENCH)
  docdb_test(user_record_test bench/user_record_test.cc LABELS unit LIBS docdb_common)
  target_sources(user_record_test PRIVATE ${PROJECT_SOURCE_DIR}/bench/ycsb/user_record.cc
                                          ${PROJECT_SOURCE_DIR}/bench/ycsb/zipfian_generator.cc)
  docdb_test(rounds_test bench/rounds_test.cc LABELS unit LIBS docdb_common)
  target_sources(rounds_test PRIVATE ${PROJECT_SOURCE_DIR}/bench/ycsb/rounds.cc
                                     ${PROJECT_SOURCE_DIR}/bench/ycsb/latency_histogram.cc)
  docdb_test(ycsb_smoke_test bench/ycsb_smoke_test.cc LABELS integration LIBS docdb_rapidjson)
  target_compile_definitions(ycsb_smoke_test PRIVATE DOCDB_BENCH_PATH="$<TARGET_FILE:docdb-bench>")
  add_dependencies(ycsb_smoke_test docdb-bench)
endif()
