// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/ec.hpp
// Elliptic-curve groups y² = x³ + ax + b over GF(p) (SEC 1, BSI TR-03111), with every ICAO
// standardized domain parameter (ICAO 9303-11 §9.5.1, IDs 8–18, including brainpoolP192r1,
// P224r1 and P320r1 that mbedTLS does not name) and explicit parameters from certificates or
// SecurityInfos. Points travel as uncompressed encodings 04‖X‖Y with X and Y at the full field
// width; shared secrets are the x-coordinate at full width (never stripped of leading zeros).
// EcGroup is immutable after construction; const methods may be called from several threads.
#pragma once

#include <memory>
#include <string>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"

namespace dnie::crypto {

/// Curve domain parameters as big-endian integers (h is the cofactor).
struct CurveParams {
  Bytes p, a, b, gx, gy, n;
  std::uint32_t h = 1;
};

/// Which implementation multiplies points (EcGroup::with_arithmetic).
enum class EcArithmetic {
  Default,  ///< OpenSSL's libcrypto when built with DNIE_WITH_OPENSSL_EC (standardized curves), else mbedTLS
  Reference,  ///< always mbedTLS: the virtual card uses it, so the card's arithmetic stays
              ///< independent of the terminal's
};

struct EcKeyPair {
  SecureBuffer private_key;  ///< scalar, order_size() bytes
  Bytes public_key;          ///< 04‖X‖Y
};

class EcGroup {
 public:
  /// ICAO standardized domain parameter ID (8..18); Unsupported for other IDs.
  static Result<EcGroup> standard(int param_id);
  /// By name: "secp192r1", "brainpoolP192r1", "secp224r1", "brainpoolP224r1", "secp256r1",
  /// "brainpoolP256r1", "brainpoolP320r1", "secp384r1", "brainpoolP384r1", "brainpoolP512r1",
  /// "secp521r1".
  static Result<EcGroup> by_name(std::string_view name);
  /// By named-curve OID (e.g. "1.3.36.3.3.2.8.1.1.7").
  static Result<EcGroup> by_oid(std::string_view dotted);
  /// Explicit parameters; the generator must lie on the curve. Parameters equal to a
  /// standardized curve (h = 1) return that curve. Nothing else is checked: parameters from a
  /// peer need validate().
  static Result<EcGroup> from_params(const CurveParams& params);

  EcGroup(const EcGroup&);
  EcGroup& operator=(const EcGroup&);
  EcGroup(EcGroup&&) noexcept;
  EcGroup& operator=(EcGroup&&) noexcept;
  ~EcGroup();

  const CurveParams& params() const noexcept;
  /// Name if the parameters match a known curve, else "explicit".
  const std::string& name() const noexcept;
  /// ICAO parameter ID if standardized, else -1.
  int param_id() const noexcept;
  /// Named-curve OID if known, else empty.
  std::string oid() const;
  std::size_t field_size() const noexcept;  ///< bytes of p
  std::size_t order_size() const noexcept;  ///< bytes of n
  std::size_t point_size() const noexcept { return 1 + 2 * field_size(); }
  Bytes generator() const;  ///< 04‖Gx‖Gy

  /// Accepts uncompressed (04) or compressed (02/03) encodings; checks the point is on the
  /// curve and not the point at infinity; returns the uncompressed encoding.
  Result<Bytes> decode_point(ByteView encoded) const;
  Status check_point(ByteView encoded) const;
  /// Encodes (x, y) (each left-padded to field size) and checks it.
  Result<Bytes> make_point(ByteView x, ByteView y) const;
  /// x-coordinate of an encoded point, field-size bytes.
  Result<Bytes> x_coordinate(ByteView encoded) const;

  /// scalar·P, in wiped storage: with a private scalar it is a shared secret (PACE-GM's H).
  Result<SecureBuffer> mul(ByteView scalar, ByteView point) const;
  Result<Bytes> mul_base(ByteView scalar) const;      ///< scalar·G: a public key
  Result<Bytes> add(ByteView p1, ByteView p2) const;  ///< P1 + P2 (not infinity)
  /// A copy of this group whose scalar multiplications use `a`. Default: OpenSSL's constant-time
  /// ladder (about 7× faster than mbedTLS 2.28 on brainpoolP256r1) on the standardized curves
  /// and on mapped generators over them; mbedTLS for explicit curves and everything else.
  EcGroup with_arithmetic(EcArithmetic a) const;
  /// "openssl" or "mbedtls": what mul() uses for this group.
  const char* backend_name() const noexcept;
  /// A copy of this group with a different generator (PACE mapping, ICAO 9303-11 §4.4.3.3).
  Result<EcGroup> with_generator(ByteView encoded_point) const;
  /// Full validation of explicit parameters received from a peer (SEC 1 v2 §3.1.1.2.1): p and
  /// n have at least `min_bits` bits and are prime (50 Miller-Rabin rounds); a, b, G reduced
  /// mod p; 4a³ + 27b² ≠ 0 (mod p); G on the curve; n ≠ p (anomalous); n·G = O; the cofactor
  /// equals ⌊(√p + 1)² / n⌋ (Hasse) and is at most 2^(t/8), t = ⌊log2 p⌋ / 2; p^B ≠ 1 (mod n)
  /// for 1 ≤ B < 100 (MOV). InvalidArgument naming the first check that failed. The
  /// standardized curves need no call.
  Status validate(std::size_t min_bits = 224) const;

  /// Random scalar in [1, n-1] and its public point.
  Result<EcKeyPair> generate(Rng& rng) const;
  /// Public point for a private scalar.
  Result<Bytes> public_key(ByteView private_key) const;
  /// ECDH: x-coordinate of priv·peer at full field width (ICAO 9303-11 §4.4.3.4, TR-03111 §4.3.1).
  Result<SecureBuffer> ecdh(ByteView private_key, ByteView peer_public) const;

  /// ECDSA verification of a digest. `signature` is raw r‖s (2·order_size bytes) or DER.
  Status ecdsa_verify(ByteView public_point, ByteView digest, ByteView signature) const;
  /// ECDSA signature (raw r‖s, fixed width) — used by the card generator and tests.
  Result<Bytes> ecdsa_sign(ByteView private_key, ByteView digest, Rng& rng) const;

  struct Impl;
  const Impl& impl() const noexcept { return *m_impl; }  ///< façade-internal

 private:
  explicit EcGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// DER Ecdsa-Sig-Value ⇄ raw r‖s (each `width` bytes).
Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t width);
Bytes ecdsa_raw_to_der(ByteView raw);

}  // namespace dnie::crypto
