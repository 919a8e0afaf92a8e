// SPDX-License-Identifier: Apache-2.0
// File: tests/support/test_support.hpp
// Helpers shared by the test executables: test-data paths, JSON vector loading, hex.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "dnie/bytes/bytes.hpp"

namespace dnie::test {

inline std::string data_path(const std::string& rel) { return std::string(DNIE_TEST_DATA_DIR) + "/" + rel; }

inline std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot open " << path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline Bytes read_file(const std::string& path) {
  std::string s = read_text(path);
  return Bytes(s.begin(), s.end());
}

/// Loads tests/data/vectors/<name>.
inline nlohmann::json vectors(const std::string& name) {
  return nlohmann::json::parse(read_text(data_path("vectors/" + name)));
}

/// Hex field of a JSON object as bytes.
inline Bytes hx(const nlohmann::json& j) { return hex_bytes(j.get<std::string>()); }
inline Bytes hx(const std::string& s) { return hex_bytes(s); }

}  // namespace dnie::test
