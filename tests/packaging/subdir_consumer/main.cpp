// SPDX-License-Identifier: Apache-2.0
// A downstream project using the SDK through add_subdirectory(<source tree>) and dnie::card.
#include <cstdio>

#include "dnie/card/session.hpp"
#include "dnie/version.hpp"

int main() {
  // The session refuses the virtual card by name (it is dnie::vcard_session's): no I/O happens.
  dnie::SessionOptions o;
  o.reader = "virtual";
  auto s = dnie::Session::open(o);
  if (s || s.error().code != dnie::ErrorCode::Unsupported) return 1;
  std::printf("add_subdirectory consumer: dnie %s, Session::open(\"virtual\") -> %s\n", DNIE_VERSION_STRING,
              std::string(dnie::error_code_name(s.error().code)).c_str());
  return 0;
}
