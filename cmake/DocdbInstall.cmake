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
