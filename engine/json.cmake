# docdb_json: see engine/json_*.h
# The JSON layer (validation, JSON Pointer, patches) is its own library so that it can be
# tested and fuzzed without the storage engine.
add_library(docdb_json
  json_merge_patch.cc
  json_number.cc
  json_patch.cc
  json_patch_operation.cc
  json_pointer.cc
  json_reader.cc
  json_string.cc
  json_validator.cc
  json_value.cc)
target_link_libraries(docdb_json
  PUBLIC docdb_common docdb_rapidjson
  PRIVATE docdb_compile_options)
