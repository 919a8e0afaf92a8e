// SPDX-License-Identifier: Apache-2.0
// One command-line language for dnie and dnie-verify (docs/cli.md): the CAN and --mrz forms,
// --wait, --version, and keeping libnfc quiet unless asked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/result.hpp"

namespace dnie::cli {

/// "dnie 0.1.0 (DNIe SDK)" for --version.
std::string version_line(std::string_view tool);

/// The CAN printed on the card: exactly 6 digits (InvalidArgument, exit 1, otherwise).
Status check_can(std::string_view can);

/// --mrz in any of its forms, the same in both tools:
///  - "DOCNO,YYMMDD,YYMMDD": document number, date of birth, date of expiry;
///  - the whole MRZ (TD1 90, TD2 72 or TD3 88 characters; spaces and line breaks ignored);
///  - the MRZ information: document number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd (ICAO 9303-11 §4.4.4.1).
/// InvalidArgument (usage) with what was expected.
Result<auth::PacePassword> mrz_password(std::string_view text);

/// --now / --at: "YYYY-MM-DD" (noon UTC, so that the day is the same in every time zone) or
/// "YYYY-MM-DDTHH:MM:SSZ" (UTC). Unix seconds; nullopt for anything else.
std::optional<std::int64_t> parse_date(std::string_view text);

/// libnfc logs "error libnfc.buses..." on every probe of an absent bus. Unless the user set
/// LIBNFC_LOG_LEVEL (e.g. 3 to debug NFC), set it to 0 before libnfc is initialised.
void quiet_libnfc();

/// --wait: returns once a card is present in `reader` (PC/SC: SCardGetStatusChange through
/// PcscContext::wait_for_change; libnfc: polling; the virtual card is always present). An empty
/// `reader` (no --reader: tools/common/readers.hpp) waits for a card in any PC/SC reader.
/// `timeout_seconds` <= 0 waits without limit. NoCard when none came in time; `waiting` is
/// called once with a message when the tool has to wait.
Status wait_for_card(const std::string& reader, int timeout_seconds,
                     const std::function<void(const std::string&)>& waiting);

}  // namespace dnie::cli
