// SPDX-License-Identifier: Apache-2.0
// The one exit-code table of the command-line tools, dnie and dnie-verify (docs/cli.md). Both
// print it in --help; scripts may rely on it.
#pragma once

#include <string>
#include <string_view>

#include "dnie/bytes/error.hpp"

namespace dnie::cli {

enum Exit : int {
  kExitOk = 0,  ///< success; the document is GENUINE; the holder certificates are VALID
  kExitUsage = 1,
  kExitNoReader = 2,  ///< no reader / no card / no service
  kExitWrongCan = 3,
  kExitWrongPin = 4,
  kExitPinBlocked = 5,  ///< blocked, suspended, or last try refused
  kExitTerminated = 6,
  kExitNotGenuine = 7,  ///< a signature, hash or chip check failed: NOT GENUINE; certificate INVALID
  kExitIo = 8,          ///< I/O or protocol error
  kExitInternal = 9,
  kExitCannotVerify = 10,    ///< CANNOT VERIFY: no trusted anchor, an essential proof missing
  kExitGenuineExpired = 11,  ///< GENUINE, but the document has expired; certificate EXPIRED
  kExitRevoked = 12,         ///< a holder certificate is REVOKED (a verified CRL or OCSP answer)
};

/// The one place that maps SDK error codes to exit codes.
int exit_code_for(ErrorCode code) noexcept;

/// The table as text, for --help.
const char* exit_codes_help() noexcept;

/// What to do next, in the tools' words (command-line options, not C++ API names).
/// `reader`: the --reader that failed, so that the hint never suggests that same reader.
std::string cli_hint(ErrorCode code, std::string_view reader = {});

/// A library message with the C++ option names it may mention replaced by the tools' options
/// ("MasterListOptions::accept_unanchored" -> "--trust-unanchored-list").
std::string cli_words(std::string message);

}  // namespace dnie::cli
