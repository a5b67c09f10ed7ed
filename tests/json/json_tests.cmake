# Tests of the JSON layer (json/*.h).

# The public JSON Patch conformance suite lives outside the repository (PROVENANCE.md
# there); the conformance test skips, naming this path, when it is not there.
set(DOCDB_CONFORMANCE_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance" CACHE PATH
    "Directory holding json-patch-tests/ (tests.json, spec_tests.json)")

docdb_test(json_string_test json/json_string_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_number_test json/json_number_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_validator_test json/json_validator_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_value_test json/json_value_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_pointer_test json/json_pointer_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_patch_test json/json_patch_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_merge_patch_test json/json_merge_patch_test.cc LABELS unit LIBS docdb_json)
docdb_test(json_patch_property_test json/json_patch_property_test.cc LABELS unit
           LIBS docdb_json)
docdb_test(json_patch_conformance_test json/json_patch_conformance_test.cc LABELS unit
           LIBS docdb_json docdb_rapidjson)
target_compile_definitions(json_patch_conformance_test PRIVATE
  DOCDB_CONFORMANCE_DIR="${DOCDB_CONFORMANCE_DIR}")
