// SPDX-License-Identifier: Apache-2.0
// File: src/auth/pace_internal.hpp (private, not installed)
// PACE building blocks shared by the engine, the tests and the fuzz target: nonce decryption,
// the Integrated Mapping pseudo-random function and point encoding, authentication tokens, and
// an engine with a given K_pi for known-answer tests.
#pragma once

#include "dnie/auth/pace.hpp"

namespace dnie::auth {

/// Construction paths of PaceEngine outside the installed API (PaceEngine befriends this).
struct PaceEngineAccess {
  /// An engine that uses `k_pi` instead of KDF(π, 3): for known-answer tests of traces that publish
  /// K_pi but not the password (real-chip traces, ICAO 9303-11 App. H). The SDK never calls it.
  static Result<PaceEngine> create_with_k_pi(const PaceChoice& choice, PasswordType type, SecureBuffer k_pi,
                                             PaceOptions options = {});
  /// PaceEngine::create with K_pi derived from `password` (given_k_pi null) or given.
  static Result<PaceEngine> create(const PaceChoice& choice, PacePassword password, PaceOptions options,
                                   const SecureBuffer* given_k_pi);
};

}  // namespace dnie::auth

namespace dnie::auth::pace_internal {

/// E(key, data) in CBC mode with IV = 0 (ICAO 9303-11 §4.4.3.3.2, §4.4.3.3). `data` is a
/// multiple of the block size.
Result<SecureBuffer> encrypt_cbc_zero_iv(SymCipher c, ByteView key, ByteView data);
/// s = D(K_pi, z) with IV = 0 (ICAO 9303-11 §4.4.3.3). ProtocolError for a bad length.
Result<SecureBuffer> decrypt_nonce(SymCipher c, ByteView k_pi, ByteView z);

/// R(s, t) of ICAO 9303-11 §4.4.3.3.2 (Figure 2): n·l bits with n·l ≥ log2(p) + 64.
Result<SecureBuffer> im_prf(SymCipher c, ByteView s, ByteView t, std::size_t p_bits);
/// f_G: point encoding of ICAO 9303-11 Appendix B.2 (affine, p = 3 mod 4) of u in GF(p),
/// multiplied by the cofactor. Returns 04‖X‖Y.
Result<Bytes> im_point_encoding(const crypto::EcGroup& group, ByteView u);
/// Ĝ = f_G(R_p(s,t)) (ECDH-IM).
Result<Bytes> im_map_ec(const crypto::EcGroup& group, SymCipher c, ByteView s, ByteView t);
/// ĝ = R_p(s,t)^((p-1)/q) mod p, ĝ ≠ 1 (DH-IM).
Result<Bytes> im_map_dh(const crypto::DhGroup& group, SymCipher c, ByteView s, ByteView t);

/// Public key data object for the token (ICAO 9303-11 §4.4.3.4, §9.4.5):
/// 7F49 { 06 OID, 86 point (EC) | 84 y (DH) }.
Bytes token_input(ByteView oid_content, KeyAgreement ka, ByteView public_key);
/// T = MAC(KS_mac, input) truncated to 8 bytes: AES-CMAC, or retail MAC over padded input (3DES).
Result<Bytes> auth_token(SymCipher c, ByteView k_mac, ByteView input);

/// Bits of a big-endian unsigned integer.
std::size_t bit_length(ByteView be) noexcept;

}  // namespace dnie::auth::pace_internal
