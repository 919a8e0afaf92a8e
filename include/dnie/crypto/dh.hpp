// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/dh.hpp
// Finite-field Diffie-Hellman on the RFC 5114 groups (ICAO 9303-11 §9.5.1 parameter IDs 0–2)
// or explicit (p, g, q). Public values and shared secrets are encoded at the full width of p.
// Immutable after construction; const methods may be called from several threads.
#pragma once

#include <memory>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/rng.hpp"

namespace dnie::crypto {

struct DhKeyPair {
  SecureBuffer private_key;
  Bytes public_key;  ///< g^x mod p, size() bytes
};

class DhGroup {
 public:
  /// 0: 1024-bit MODP with 160-bit subgroup, 1: 2048/224, 2: 2048/256 (RFC 5114 §2.1–2.3).
  static Result<DhGroup> standard(int param_id);
  /// q may be empty (unknown order).
  static Result<DhGroup> from_params(ByteView p, ByteView g, ByteView q);

  DhGroup(const DhGroup&);
  DhGroup& operator=(const DhGroup&);
  DhGroup(DhGroup&&) noexcept;
  DhGroup& operator=(DhGroup&&) noexcept;
  ~DhGroup();

  const Bytes& p() const noexcept;
  const Bytes& g() const noexcept;
  const Bytes& q() const noexcept;
  int param_id() const noexcept;      ///< -1 when explicit
  std::size_t size() const noexcept;  ///< bytes of p

  /// base^exponent mod p at full width, in wiped storage (a secret whenever the exponent is).
  Result<SecureBuffer> exp(ByteView base, ByteView exponent) const;
  /// a·b mod p at full width.
  Result<Bytes> mul(ByteView a, ByteView b) const;
  /// 1 < y < p-1 and, when q is known, y^q = 1 (mod p).
  Status check_public(ByteView y) const;
  /// A copy with another generator (PACE mapping).
  Result<DhGroup> with_generator(ByteView g) const;
  /// Full validation of explicit parameters received from a peer (NIST SP 800-56A Rev. 3
  /// §5.5.2, FIPS 186-4 App. A.2.2): p has at least `min_p_bits` bits and is prime, q is given,
  /// has at least `min_q_bits` bits, is prime and divides p - 1, 1 < g < p - 1 and g^q = 1
  /// (mod p). Primality: 50 Miller-Rabin rounds (about a second for a 2048-bit p).
  /// InvalidArgument naming the first check that failed. The RFC 5114 groups need no call.
  Status validate(std::size_t min_p_bits = 2048, std::size_t min_q_bits = 224) const;

  Result<DhKeyPair> generate(Rng& rng) const;  ///< x in [1, q-1] (or p-2 when q unknown)
  Result<Bytes> public_key(ByteView private_key) const;
  Result<SecureBuffer> shared_secret(ByteView private_key, ByteView peer_public) const;

 private:
  struct Impl;
  explicit DhGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::crypto
