// SPDX-License-Identifier: Apache-2.0
// Slot discovery, lazy token opening, error mapping (PKCS#11 module internals).
#pragma once

#include <algorithm>
#include <cstring>

#include "p11_internal.hpp"

namespace dnie::p11 {

/// Blank-padded PKCS#11 text field (UTF-8, never cut inside a character).
void pad(CK_UTF8CHAR* dst, std::size_t n, std::string_view v);
/// PC/SC readers and DNIE_NFC admitted by `readers`, then the virtual card when it is turned on
/// and its image exists (docs/pkcs11.md "Slots and tokens").
std::vector<Slot> discover_slots(const Config& cfg);
/// Card in the slot now; for PC/SC readers a removed card drops the open token.
bool token_present(Slot& slot);
/// Opens the card (PACE with the CAN on contactless links: configured, else from the prompt
/// program) and builds the objects. Logs what went wrong and what to do; returns the CK_RV of
/// the table in docs/pkcs11.md ("The CAN").
CK_RV open_token(Slot& slot, const Config& cfg);
CK_RV to_rv(const Error& e);
/// Logs `e` through the SDK's log sink and maps it.
CK_RV log_error(const Error& e, std::string_view what);

}  // namespace dnie::p11
