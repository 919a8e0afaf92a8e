// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/active_auth.hpp
// Active Authentication (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE with an 8-byte challenge and
// verification with the DG15 key — RSA with ISO/IEC 9796-2 digital signature scheme 1 (message
// recovery, trailer BC or xxCC) or ECDSA (plain r‖s, hash from DG14's ActiveAuthenticationInfo).
// The DNIe has no DG15 (docs/dnie-card.md §6.1): passports only. Thread safety: none.
#pragma once

#include <optional>
#include <string>

#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::icao {

/// Verifies an AA signature over `challenge`. `ecdsa_signature_oid` is the algorithm from DG14
/// (ecdsa-plain-SHA* or ecdsa-with-SHA*); when absent for an EC key, SHA-1…SHA-512 are tried.
/// VerificationFailed when it does not verify.
Status verify_active_authentication(const crypto::PublicKey& key, ByteView challenge, ByteView signature,
                                    std::optional<std::string> ecdsa_signature_oid = std::nullopt);

struct ActiveAuthOptions {
  crypto::Rng* rng = nullptr;  ///< the 8-byte challenge; nullptr = system_rng(); not owned
  std::optional<std::string> ecdsa_signature_oid;
};

/// Sends INTERNAL AUTHENTICATE (00 88 00 00 08 <challenge> 00) and verifies the answer.
Status run_active_authentication(transport::Transport& t, const crypto::PublicKey& key,
                                 const ActiveAuthOptions& options = {});

}  // namespace dnie::icao
