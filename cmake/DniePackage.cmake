# SPDX-License-Identifier: Apache-2.0
# CPack: one Debian package with everything `cmake --install` installs — the libraries (C API
# libdnie.so, the C++ layers), headers, CMake and pkg-config files, the tools, the PKCS#11 module
# and its p11-kit module file, the virtual card images (the ten non-hostile profiles) and the
# data in share/dnie (CSCA SPAIN trust store, holder PKI files). Built with
#
#   cmake --preset package && cmake --build --preset package && cpack --preset package
#
# (Release, shared C++ layers, prefix /usr), or `cpack -G DEB` in any build tree. Binaries are
# stripped (CPACK_STRIP_FILES); the dependencies come from dpkg-shlibdeps. tests/packaging/deb.sh
# (ctest label "packaging") builds the package, unpacks it and runs it with the build tree hidden.
set(CPACK_PACKAGE_NAME dnie)
set(CPACK_PACKAGE_VENDOR "DNIe SDK")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SDK, tools and PKCS#11 module for the Spanish eID card (DNIe 3.0/4.0)")
set(CPACK_PACKAGE_DESCRIPTION
    "C++17 SDK with a C API for the Spanish electronic ID card over NFC and contact readers: PACE and "
    "secure messaging, the ICAO data and passive/chip authentication, the eSign side (PIN, "
    "signatures). Includes the dnie and dnie-verify tools, a PKCS#11 module registered with "
    "p11-kit (off for the virtual test card unless `virtual = on`), and a simulated DNIe 3.0 for "
    "tests (reader spec \"virtual\").")
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "DNIe SDK maintainers <dnie-sdk@localhost>")
endif()
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pcscd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "p11-kit, opensc")
# Debian packages install under /usr (never /usr/local), whatever this tree was configured for:
# every path the SDK uses at run time is relative (dnie::installed_data_dir(), $ORIGIN).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with DESTDIR and CMAKE_INSTALL_PREFIX=/usr, so that the install scripts write /usr paths
# (the p11-kit module file), not the staging directory.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
include(CPack)
