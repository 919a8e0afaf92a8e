// SPDX-License-Identifier: Apache-2.0
#include <cstring>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "dnie/bytes/error.hpp"
#include "dnie/c/dnie.h"

TEST_CASE("versions and error names match the C++ error set") {
  CHECK(dnie_api_version() == DNIE_C_API_VERSION);
  CHECK(dnie_supports_api(DNIE_C_API_VERSION));
  CHECK_FALSE(dnie_supports_api(DNIE_C_API_VERSION + 1));
  CHECK(std::string(dnie_error_name(DNIE_ERR_PIN_BLOCKED)) == "PinBlocked");
  CHECK(DNIE_ERR_WRONG_CAN == static_cast<int>(dnie::ErrorCode::WrongCan));
  CHECK(DNIE_ERR_SECURE_MESSAGING == static_cast<int>(dnie::ErrorCode::SecureMessagingError));
  CHECK(std::strlen(dnie_error_hint(DNIE_ERR_WRONG_PIN)) > 0);
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
