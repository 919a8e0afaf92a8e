# SPDX-License-Identifier: Apache-2.0
# Install rules: headers, libraries, CMake package config (find_package(dnie)), dnie.pc (and
# dnie++.pc with DNIE_SHARED), the p11-kit module file; then the CPack settings (DniePackage).
include(CMakePackageConfigHelpers)

get_property(_dnie_targets GLOBAL PROPERTY DNIE_LAYER_TARGETS)
get_property(_dnie_extra GLOBAL PROPERTY DNIE_INSTALL_TARGETS)
install(TARGETS ${_dnie_targets} ${_dnie_extra}
  EXPORT dnieTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dnie DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/dnie/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dnie)

set(DNIE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dnie)
install(EXPORT dnieTargets NAMESPACE dnie:: DESTINATION ${DNIE_CMAKE_DIR})
export(EXPORT dnieTargets NAMESPACE dnie:: FILE ${PROJECT_BINARY_DIR}/dnieTargets.cmake)
# dnieConfig.cmake finds exactly the packages whose imported targets the exported targets' link
# interfaces name: INTERFACE_LINK_LIBRARIES is what install(EXPORT) writes (a static archive's
# private dependencies appear there as $<LINK_ONLY:...>, a shared library's do not). A target
# without a line here fails the configure step, so a new dependency cannot be forgotten.
set(_dnie_dep_lines
  "MbedTLS::=find_dependency(MbedTLS)"
  "OpenSSL::=find_dependency(OpenSSL 3.0 COMPONENTS Crypto)"
  "Threads::=find_dependency(Threads)"
  "CURL::=find_dependency(CURL)"
  "ZLIB::=find_dependency(ZLIB)"
  "JPEG::=find_dependency(JPEG)"
  "PNG::=find_dependency(PNG)"
  "PkgConfig::OPENJP2=pkg_check_modules(OPENJP2 REQUIRED IMPORTED_TARGET libopenjp2)"
  "PkgConfig::PCSC=pkg_check_modules(PCSC REQUIRED IMPORTED_TARGET libpcsclite)"
  "PkgConfig::LIBNFC=pkg_check_modules(LIBNFC REQUIRED IMPORTED_TARGET libnfc)")
set(_dnie_deps_used "")
foreach(t IN LISTS _dnie_targets _dnie_extra)
  get_target_property(_iface ${t} INTERFACE_LINK_LIBRARIES)
  if(NOT _iface)
    continue()
  endif()
  foreach(lib IN LISTS _iface)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
    if(NOT lib MATCHES "::" OR lib MATCHES "^dnie::")
      continue()  # a layer, or a plain system library (-ldl)
    endif()
    set(_found "")
    foreach(kv IN LISTS _dnie_dep_lines)
      string(FIND "${kv}" "=" _eq)
      string(SUBSTRING "${kv}" 0 ${_eq} _prefix)
      math(EXPR _eq "${_eq} + 1")
      string(SUBSTRING "${kv}" ${_eq} -1 _line)
      string(FIND "${lib}" "${_prefix}" _at)
      if(_at EQUAL 0)
        set(_found "${_line}")
      endif()
    endforeach()
    if(NOT _found)
      message(FATAL_ERROR "${t} exports a link to ${lib}: add how to find it to _dnie_dep_lines "
                          "(cmake/DnieInstall.cmake)")
    endif()
    if(NOT _found IN_LIST _dnie_deps_used)
      list(APPEND _dnie_deps_used "${_found}")
    endif()
  endforeach()
endforeach()
set(DNIE_CONFIG_DEPENDENCIES "")
foreach(_line IN LISTS _dnie_deps_used)
  if(_line MATCHES "^pkg_check_modules" AND NOT DNIE_CONFIG_DEPENDENCIES MATCHES "PkgConfig")
    string(APPEND DNIE_CONFIG_DEPENDENCIES "find_dependency(PkgConfig)\n")
  endif()
  string(APPEND DNIE_CONFIG_DEPENDENCIES "${_line}\n")
endforeach()
if(DNIE_CONFIG_DEPENDENCIES STREQUAL "")
  set(DNIE_CONFIG_DEPENDENCIES "# (none)\n")
endif()
configure_package_config_file(cmake/dnieConfig.cmake.in ${PROJECT_BINARY_DIR}/dnieConfig.cmake
  INSTALL_DESTINATION ${DNIE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dnieConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dnieConfig.cmake ${PROJECT_BINARY_DIR}/dnieConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindMbedTLS.cmake DESTINATION ${DNIE_CMAKE_DIR})

# pkg-config: relocatable (prefix computed from the .pc file's own location) unless the libdir
# or includedir is absolute.
file(RELATIVE_PATH _dnie_pc_up "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _dnie_pc_up "${_dnie_pc_up}")
set(DNIE_PC_PREFIX "\${pcfiledir}/${_dnie_pc_up}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(DNIE_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(DNIE_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DNIE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(DNIE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/dnie.pc.in ${PROJECT_BINARY_DIR}/dnie.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dnie.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# dnie++.pc: the C++ layers, when they are shared libraries (static archives would also need
# every third-party library: use find_package(dnie) for those). Not the virtual card.
if(DNIE_SHARED)
  set(DNIE_CXX_LIBS "")
  set(_dnie_layers_down ${_dnie_targets})
  list(REVERSE _dnie_layers_down)
  foreach(t IN LISTS _dnie_layers_down)
    if(NOT t MATCHES "^dnie_(c|pkcs11|vcard|vcard_session)$")
      get_target_property(_out ${t} OUTPUT_NAME)
      string(APPEND DNIE_CXX_LIBS " -l${_out}")
    endif()
  endforeach()
  configure_file(cmake/dnie++.pc.in ${PROJECT_BINARY_DIR}/dnie++.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/dnie++.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# p11-kit module file (docs/pkcs11.md "p11-kit"): share/p11-kit/modules/dnie.module names the
# installed PKCS#11 module, so that p11-kit-aware stacks (GnuTLS, p11-kit-proxy) load it. Written
# at install time: the path follows --prefix; DESTDIR only moves the file.
if(TARGET dnie_pkcs11)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(_dnie_p11_lib "${CMAKE_INSTALL_LIBDIR}/$<TARGET_SONAME_FILE_NAME:dnie_pkcs11>")
  else()
    set(_dnie_p11_lib "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_SONAME_FILE_NAME:dnie_pkcs11>")
  endif()
  install(CODE "
    set(_dnie_module_file \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/p11-kit/modules/dnie.module\")
    message(STATUS \"Installing: \${_dnie_module_file}\")
    file(WRITE \"\${_dnie_module_file}\" \"# DNIe PKCS#11 module (docs/pkcs11.md)\\nmodule: ${_dnie_p11_lib}\\ncritical: no\\n\")
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_dnie_module_file}\")
  " COMPONENT pkcs11)
endif()

include(DniePackage)
