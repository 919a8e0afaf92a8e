// SPDX-License-Identifier: Apache-2.0
#include <cstring>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "dnie/bytes/error.hpp"
#include "dnie/c/dnie.h"

#include "c/error_map.hpp"

TEST_CASE("versions and error names match the C++ error set") {
  CHECK(dnie_api_version() == DNIE_C_API_VERSION);
  CHECK(dnie_supports_api(DNIE_C_API_VERSION));
  CHECK_FALSE(dnie_supports_api(DNIE_C_API_VERSION + 1));
  CHECK(std::string(dnie_error_name(DNIE_ERR_PIN_BLOCKED)) == "PinBlocked");
  CHECK(DNIE_ERR_WRONG_CAN == static_cast<int>(dnie::ErrorCode::WrongCan));
  CHECK(DNIE_ERR_SECURE_MESSAGING == static_cast<int>(dnie::ErrorCode::SecureMessagingError));
  CHECK(std::strlen(dnie_error_hint(DNIE_ERR_WRONG_PIN)) > 0);
}

TEST_CASE("every dnie::ErrorCode has its DNIE_ERR_ code, with the same number and name") {
  // The static_asserts of src/c/error_map.hpp compare each pair; here: no ErrorCode is missing.
  // error_code_name() names every enumerator (its switch has no default: -Wswitch under -Werror),
  // so the codes are the values 0..255 with a name other than "Unknown".
  std::size_t named = 0;
  for (int v = 0; v < 256; ++v)
    if (dnie::error_code_name(static_cast<dnie::ErrorCode>(v)) != "Unknown") ++named;
  CHECK(named == dnie::capi::kCErrorCodeCount);
#define DNIE_TEST_PAIR_(c, cxx)                                                                       \
  CHECK(std::string(dnie_error_name(c)) == std::string(dnie::error_code_name(dnie::ErrorCode::cxx))); \
  CHECK(std::string(dnie_error_name(c)) == #cxx);
  DNIE_C_ERROR_CODES(DNIE_TEST_PAIR_)
#undef DNIE_TEST_PAIR_
  CHECK(std::string(dnie_error_name(5)) == "Unknown");  // a gap in the bands
}

TEST_CASE("caller-owned buffers with size query; thread-local last error") {
  const uint8_t d[] = {0xDE, 0xAD};
  size_t n = 0;
  CHECK(dnie_hex_encode(d, 2, nullptr, &n) == DNIE_ERR_INVALID_ARGUMENT);
  CHECK(n == 5);
  char buf[5];
  CHECK(dnie_hex_encode(d, 2, buf, &n) == DNIE_OK);
  CHECK(std::string(buf) == "DEAD");
  CHECK(dnie_hex_encode(d, 2, nullptr, nullptr) == DNIE_ERR_INVALID_ARGUMENT);
  std::string other;
  std::thread([&other] { other = dnie_last_error_message(); }).join();
  CHECK(other.empty());
  CHECK(std::string(dnie_last_error_message()) == "null argument");
}
