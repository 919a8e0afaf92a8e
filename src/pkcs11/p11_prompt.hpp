// SPDX-License-Identifier: Apache-2.0
// The optional prompt program (docs/pkcs11.md "Prompt program"): asked for the CAN, for consent
// to a signing-key signature, and for consent to spend the last PIN try.
#pragma once

#include <string>
#include <vector>

#include "dnie/bytes/result.hpp"
#include "dnie/bytes/secure.hpp"

namespace dnie::p11 {

/// Runs `program` (an absolute path; fork + exec, no shell) with argv[1..] = `args`, stdin from
/// /dev/null, and returns the first line it writes to stdout (without the newline, at most
/// 1 KiB) when it exits with status 0 within `timeout_ms`. Cancelled: the program exited with
/// another status or printed nothing; Timeout: killed after `timeout_ms`; NoService: it could
/// not be started. The answer may be a secret (the CAN): it is returned in a SecureBuffer and
/// never logged.
Result<SecureBuffer> run_prompt(const std::string& program, const std::vector<std::string>& args,
                                int timeout_ms);

/// True when the answer is "yes" (case-insensitive, surrounding blanks ignored).
bool is_yes(const SecureBuffer& answer);

}  // namespace dnie::p11
