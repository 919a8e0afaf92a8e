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
