// SPDX-License-Identifier: Apache-2.0
// Reading secrets (PIN, CAN) without putting them on the command line: a file descriptor, an
// environment variable, or a prompt on the terminal with echo off.
#pragma once

#include <string>

#include "dnie/bytes/result.hpp"
#include "dnie/bytes/secure.hpp"

namespace dnie::cli {

struct SecretSource {
  int fd = -1;         ///< read one line from this descriptor when >= 0
  std::string env;     ///< environment variable to try next (empty: none)
  std::string prompt;  ///< terminal prompt ("PIN: "); empty: never prompt
  std::string what = "PIN";
};

/// One line from `fd` (up to '\n' or EOF, '\r' stripped), read byte by byte so that the next
/// call gets the next line.
Result<SecureBuffer> read_secret_line(int fd);
/// The prompt on /dev/tty with echo off (only when stdin is a terminal).
Result<SecureBuffer> prompt_secret(const std::string& prompt);
/// fd, then env, then prompt; InvalidArgument (usage) when none is available.
Result<SecureBuffer> read_secret(const SecretSource& src);
/// True when stdin is a terminal.
bool interactive() noexcept;

}  // namespace dnie::cli
