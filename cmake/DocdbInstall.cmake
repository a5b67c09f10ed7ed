# Install rules: the public headers (include/docdb/), the static libraries, a CMake
# package (find_package(docdb CONFIG) -> docdb::docdb) and a pkg-config file (docdb.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(docdb INTERFACE)
add_library(docdb::docdb ALIAS docdb)
target_link_libraries(docdb INTERFACE docdb_engine docdb_client)
target_include_directories(docdb INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

set(_docdb_libraries docdb_common docdb_io docdb_index docdb_json docdb_engine docdb_protocol
                      docdb_client)
foreach(lib ${_docdb_libraries})
  target_include_directories(${lib} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

install(DIRECTORY include/docdb DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS docdb ${_docdb_libraries} docdb_compile_options docdb_rapidjson
        EXPORT docdbTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT docdbTargets NAMESPACE docdb:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/docdb)
configure_package_config_file(cmake/docdbConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/docdbConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/docdb)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/docdbConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/docdbConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/docdbConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/docdb)
# The .pc file finds its prefix from where it is installed, so `cmake --install --prefix`
# anywhere gives a working file.
file(RELATIVE_PATH DOCDB_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(cmake/docdb.pc.in ${CMAKE_CURRENT_BINARY_DIR}/docdb.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/docdb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# docdbd as a systemd service (packaging/docdbd.service.in) and the documentation.
set(DOCDBD_PATH ${CMAKE_INSTALL_FULL_BINDIR}/docdbd)
set(DOCDB_DOC_PATH ${CMAKE_INSTALL_FULL_DOCDIR})
configure_file(packaging/docdbd.service.in ${CMAKE_CURRENT_BINARY_DIR}/docdbd.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/docdbd.service DESTINATION lib/systemd/system)
# Bash completion (packaging/docdb.bash-completion), under each program's name, where
# bash-completion looks for it when the program is first completed.
foreach(program docdbd docdbsh docdbctl walinspect)
  install(FILES packaging/docdb.bash-completion
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${program})
endforeach()
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
# Manual pages, made by help2man (Debian's help2man) from each program's own --help and
# --version, so that they never fall behind the programs. Not in the sanitizer and fuzz
# builds, whose programs need not run at build time; without help2man there are none.
find_program(HELP2MAN_EXECUTABLE help2man)
if(HELP2MAN_EXECUTABLE AND DOCDB_SANITIZE STREQUAL "" AND NOT CMAKE_CXX_FLAGS MATCHES "sanitize")
  set(_docdb_man_pages)
  foreach(entry "docdbd|the DocDB server, on a Unix socket"
                "docdbsh|the DocDB shell, for queries and patches"
                "docdbctl|DocDB administration: checkpoint, trim, heal, compact, verify, backup"
                "walinspect|offline forensics of a DocDB write-ahead log")
    string(REPLACE "|" ";" _parts "${entry}")
    list(GET _parts 0 _program)
    list(GET _parts 1 _summary)
    set(_page ${CMAKE_CURRENT_BINARY_DIR}/man/${_program}.1)
    add_custom_command(
      OUTPUT ${_page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
      COMMAND ${HELP2MAN_EXECUTABLE} --no-info --section=1 --name=${_summary}
              --output=${_page} $<TARGET_FILE:${_program}>
      DEPENDS ${_program}
      COMMENT "Manual page ${_program}.1"
      VERBATIM)
    list(APPEND _docdb_man_pages ${_page})
  endforeach()
  add_custom_target(docdb_man_pages ALL DEPENDS ${_docdb_man_pages})
  install(FILES ${_docdb_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
