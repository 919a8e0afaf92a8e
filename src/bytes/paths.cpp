// SPDX-License-Identifier: Apache-2.0
// installed_data_dir(): share/dnie relative to the running library or program (dnie/bytes/paths.hpp).
// DNIE_REL_LIB_TO_DATA / DNIE_REL_BIN_TO_DATA are the install layout's relative paths from the
// library and program directories to share/dnie (src/CMakeLists.txt, GNUInstallDirs).
#include "dnie/bytes/paths.hpp"

#include <cstdlib>
#include <filesystem>

#include <climits>
#if defined(__linux__)
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>
#endif

namespace dnie {

namespace {

namespace fs = std::filesystem;

// Any object of this library: its address lies in the mapping of whatever holds the SDK.
const char kAnchor = 0;

std::string existing_dir(const fs::path& base, const char* rel) {
  if (base.empty()) return {};
  std::error_code ec;
  fs::path p = (base / rel).lexically_normal();
  if (!fs::is_directory(p, ec)) return {};
  fs::path canon = fs::weakly_canonical(p, ec);
  return (ec ? p : canon).string();
}

#if defined(__linux__)
fs::path program_dir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  buf[n] = '\0';
  return fs::path(buf).parent_path();
}

// The shared object holding kAnchor; empty when it is the program itself (static link).
fs::path library_dir() {
  Dl_info info{};
  struct link_map* map = nullptr;
  if (::dladdr1(&kAnchor, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 || map == nullptr ||
      map->l_name == nullptr || map->l_name[0] == '\0')
    return {};
  std::error_code ec;
  fs::path lib = fs::weakly_canonical(fs::path(map->l_name), ec);
  return (ec ? fs::path(map->l_name) : lib).parent_path();
}
#endif

}  // namespace

std::string installed_data_dir() {
  if (const char* e = std::getenv("DNIE_DATA_DIR"); e && *e) return e;
#if defined(__linux__)
  if (const fs::path lib = library_dir(); !lib.empty()) {
    if (std::string d = existing_dir(lib, DNIE_REL_LIB_TO_DATA); !d.empty()) return d;
  }
  if (std::string d = existing_dir(program_dir(), DNIE_REL_BIN_TO_DATA); !d.empty()) return d;
#endif
  return {};
}

}  // namespace dnie
