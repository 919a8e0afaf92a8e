// SPDX-License-Identifier: Apache-2.0
// File: dnie/auth/chip_auth.hpp
// Chip Authentication version 1, terminal side (ICAO 9303-11 §6.2, BSI TR-03110-1 §3.4 / -3 §B.1):
// static-ephemeral (EC)DH with the chip's DG14 key, KS_enc/KS_mac = KDF(K, 1/2) (9303-11 §9.7.1),
// SSC restarted at 0 and secure messaging switched to the new keys. A chip that does not hold
// the private key (a clone) cannot answer the next command under the new keys: that failure is
// reported as VerificationFailed "chip authentication failed".
//   AES:  MSE:Set AT  00 22 41 A4 [80 <CA OID>, 84 <keyId>] then
//         GENERAL AUTHENTICATE 00 86 00 00 7C { 80 <PK_PCD> } Le 00
//   3DES: MSE:Set KAT 00 22 41 A6 [91 <PK_PCD>, 84 <keyId>]
// Passive authentication of DG14 must pass as well before the chip counts as genuine.
// Thread safety: none; runs on the caller's secure channel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dnie/auth/security_infos.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/sm/secure_messaging.hpp"

namespace dnie::auth {

/// What to run: the protocol (from ChipAuthenticationInfo, or id-CA-{DH,ECDH}-3DES-CBC-CBC when
/// DG14 has only the public key, 9303-11 §9.2.5), the key and its domain parameters.
struct ChipAuthPlan {
  std::string protocol_oid;  ///< e.g. "0.4.0.127.0.7.2.2.3.2.2"
  KeyAgreement key_agreement = KeyAgreement::Ecdh;
  SymCipher cipher = SymCipher::Aes128;
  int version = 1;
  std::optional<std::int64_t> key_id;
  ChipAuthenticationPublicKeyInfo public_key;
  bool key_id_required = false;  ///< more than one CA key: send DO 84
};

/// Picks the CA protocol and key from DG14 (optionally the key `key_id`). Only version 1 is run
/// here (CA v2 needs Terminal Authentication). Unsupported when nothing usable is offered.
Result<ChipAuthPlan> plan_chip_authentication(const SecurityInfos& dg14,
                                              std::optional<std::int64_t> key_id = std::nullopt);

struct ChipAuthOptions {
  crypto::Rng* rng = nullptr;  ///< the ephemeral key (one generate()); nullptr = system_rng(); not owned
  std::optional<std::int64_t> key_id;
  /// Le = 00 on GENERAL AUTHENTICATE (AES).
  bool ga_le = true;
  /// Send SELECT of this EF (under the application already selected) right after switching keys,
  /// to prove the chip derived them; nullopt = leave it to the caller's next command.
  std::optional<std::uint16_t> confirm_fid = std::uint16_t{0x011E};
};

struct ChipAuthResult {
  std::string protocol_oid;
  std::optional<std::int64_t> key_id;
  sm::Suite suite = sm::Suite::Aes;
  Bytes terminal_ephemeral_public_key;  ///< PK_PCD as sent
  bool confirmed = false;               ///< the confirming command verified under the new keys
};

/// Session keys derived from the shared secret K (ICAO 9303-11 §9.7.1): KDF(K,1), KDF(K,2).
struct ChipAuthKeys {
  SecureBuffer k_enc;
  SecureBuffer k_mac;
};
Result<ChipAuthKeys> derive_chip_auth_keys(ByteView shared_secret, SymCipher cipher);

/// Runs CA v1 over an open secure channel (PACE or BAC) and replaces its session.
/// Errors: VerificationFailed "chip authentication failed" (the chip could not continue under
/// the new keys), CardError/Unsupported with the SW when the chip refuses MSE/GA, SM errors of
/// the old channel as they come.
Result<ChipAuthResult> run_chip_authentication(sm::SecureMessagingTransport& t, const SecurityInfos& dg14,
                                               const ChipAuthOptions& options = {});

}  // namespace dnie::auth
