# What `cmake --install` puts where, and the Debian package (CPack) of it.
# Included by CMakeLists.txt after the folio target.
#
#   bin/folio
#   share/folio/{fonts,templates,assets}     found by the installed folio
#                                            beside itself (cli.c cli_data_dir)
#   share/man/man1/folio.1                   from dist/folio.1.scd (scdoc)
#   share/bash-completion/completions/folio  dist/folio.bash

install(TARGETS folio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY fonts templates assets DESTINATION ${CMAKE_INSTALL_DATADIR}/folio)
install(FILES dist/folio.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME folio)

# The man page is built from its scdoc source; without scdoc the build
# still works, and only the install goes without the page (said once).
find_program(SCDOC_EXE scdoc)
if(SCDOC_EXE)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/folio.1
    COMMAND ${SCDOC_EXE} < ${CMAKE_SOURCE_DIR}/dist/folio.1.scd > ${CMAKE_BINARY_DIR}/folio.1
    DEPENDS ${CMAKE_SOURCE_DIR}/dist/folio.1.scd
    COMMENT "scdoc: folio.1")
  add_custom_target(folio_man ALL DEPENDS ${CMAKE_BINARY_DIR}/folio.1)
  install(FILES ${CMAKE_BINARY_DIR}/folio.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "scdoc not found: no man page (apt-get install scdoc)")
endif()

# ./build.sh deb: cpack -G DEB in its build folder. The package installs
# under /usr; its dependencies come from dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME folio)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "folio maintainers <folio@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "batch publishing pipeline: YAML content to print PDFs and page previews")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION text)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not libraries, so not found by dpkg-shlibdeps: the hyphenation patterns
# libhyphen loads for English and French (typeset/hyph.c).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "hyphen-en-us, hyphen-fr")
set(CPACK_STRIP_FILES ON)
include(CPack)
