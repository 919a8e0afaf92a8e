// SPDX-License-Identifier: Apache-2.0
// Stable exit codes of the dnie CLI (docs/cli.md).
#pragma once

#include "dnie/bytes/error.hpp"

namespace dnie::cli {

enum Exit : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitNoReader = 2,  ///< no reader / no card / no service
  kExitWrongCan = 3,
  kExitWrongPin = 4,
  kExitPinBlocked = 5,  ///< blocked, suspended, or last try refused
  kExitTerminated = 6,
  kExitVerification = 7,  ///< verification failed / untrusted
  kExitIo = 8,            ///< I/O or protocol error
  kExitInternal = 9,
};

/// The one place that maps SDK error codes to exit codes.
int exit_code_for(ErrorCode code) noexcept;

/// Text for --help and docs.
const char* exit_codes_help() noexcept;

}  // namespace dnie::cli
