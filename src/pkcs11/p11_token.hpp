// SPDX-License-Identifier: Apache-2.0
// Slot discovery, lazy token opening, error mapping (PKCS#11 module internals).
#pragma once

#include <algorithm>
#include <cstring>

#include "p11_internal.hpp"

namespace dnie::p11 {

/// Blank-padded PKCS#11 text field (UTF-8, never cut inside a character).
void pad(CK_UTF8CHAR* dst, std::size_t n, std::string_view v);
/// PC/SC readers and DNIE_NFC (unless DNIE_PKCS11_READERS=virtual), then the virtual card
/// (unless DNIE_PKCS11_READERS=pcsc).
std::vector<Slot> discover_slots();
/// Card in the slot now; for PC/SC readers a removed card drops the open token.
bool token_present(Slot& slot);
/// Opens the card (PACE with DNIE_CAN, or the virtual card's CAN, on contactless links) and
/// builds the objects.
Status open_token(Slot& slot);
CK_RV to_rv(const Error& e);
/// Logs `e` through the SDK's log sink and maps it.
CK_RV log_error(const Error& e, std::string_view what);

}  // namespace dnie::p11
