// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/paths.hpp
// Where an installed SDK keeps its data (share/dnie: the virtual card images, the CSCA SPAIN
// trust store, the holder PKI files), found relative to the code that is running, so that an
// install moved to another prefix (a package unpacked anywhere, an application bundle) still
// finds it. Thread safety: reentrant.
#pragma once

#include <string>

namespace dnie {

/// The share/dnie directory of the installation this code was loaded from: $DNIE_DATA_DIR when
/// set; else the directory at the install layout's relative path from the library holding the
/// SDK (dladdr: libdnie.so, libdnie-pkcs11.so, a shared dnie library) or, when the SDK is linked
/// statically, from the program (/proc/self/exe), when that directory exists. "" otherwise (a
/// build tree, or an SDK linked into a program installed elsewhere).
std::string installed_data_dir();

}  // namespace dnie
