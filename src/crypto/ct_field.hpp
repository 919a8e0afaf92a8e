// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/ct_field.hpp (private to the SDK and its tests; not installed)
// Arithmetic modulo an odd prime p on fixed-width Montgomery residues whose running time depends
// only on the size of p and on public exponents, never on the values: for secret-dependent field
// arithmetic the bignum code of mbedTLS does not cover (PACE Integrated Mapping, ICAO 9303-11
// §4.4.3.3.2 and BSI TR-03110-3 §A.2: the point encoding f_G and g = R(s,t)^((p−1)/q)). Every
// loop runs a count fixed by p or by the public exponent; choices are masked selections.
// Elements live in wiped storage. A CtField is immutable; const methods are reentrant.
#pragma once

#include <cstdint>
#include <vector>

#include "dnie/bytes/secure.hpp"

namespace dnie::crypto {

class CtField {
 public:
  using Limbs = std::vector<std::uint64_t, ZeroizingAllocator<std::uint64_t>>;
  /// A residue in Montgomery form (value·R mod p, R = 2^(64·limbs)).
  struct Elem {
    Limbs v;
  };

  /// p odd, at least 2 and at most 8192 bits (InvalidArgument otherwise).
  static Result<CtField> create(ByteView p);

  std::size_t width() const noexcept { return m_width; }  ///< bytes of p

  /// Big-endian bytes of any (public) length, reduced mod p.
  Elem from_bytes(ByteView be) const;
  /// Big-endian, width() bytes.
  SecureBuffer to_bytes(const Elem& a) const;
  Elem zero() const;
  Elem one() const;

  Elem add(const Elem& a, const Elem& b) const;
  Elem sub(const Elem& a, const Elem& b) const;
  Elem mul(const Elem& a, const Elem& b) const;
  Elem neg(const Elem& a) const { return sub(zero(), a); }
  /// a^e with e public (big-endian): a square and a multiply for every bit of e.
  Elem pow(const Elem& a, ByteView e) const;
  /// a^(p−2) = a^−1 (0 for 0), Fermat.
  Elem inv(const Elem& a) const;

  bool is_zero(const Elem& a) const noexcept;  ///< constant time
  bool equal(const Elem& a, const Elem& b) const noexcept;
  /// `yes` ? a : b, by masking.
  Elem select(bool yes, const Elem& a, const Elem& b) const;

 private:
  CtField() = default;
  Limbs mont_mul(const Limbs& a, const Limbs& b) const;

  std::size_t m_width = 0;
  std::vector<std::uint64_t> m_p;  // little-endian limbs
  std::uint64_t m_pinv = 0;        // −p^−1 mod 2^64
  Limbs m_r2;                      // R² mod p
  Bytes m_p_minus_2;               // big-endian exponent for inv()
};

}  // namespace dnie::crypto
