# A Debian package of everything `cmake --install` installs (`cpack -G DEB` in a build
# directory; docs/admin.md, "Packages"), installed under /usr, with its library
# dependencies computed by dpkg-shlibdeps from the programs themselves.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME docdb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "document database: embeddable engine, docdbd server, docdbsh, docdbctl, walinspect")
set(CPACK_PACKAGE_CONTACT "DocDB developers <docdb@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
