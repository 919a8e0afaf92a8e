// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/bigint.hpp (private to the SDK and its tests; not installed)
// Non-negative big integers for protocol arithmetic that has no ready-made primitive (PACE
// Integrated Mapping, ISO 9796-2 min(SIG, N-SIG)). Values are not secret-safe: use them for
// public values or accept that mbedTLS bignum arithmetic is not constant time.
// Copyable; each object is independent (no sharing between threads needed).
#pragma once

#include <memory>

#include "dnie/bytes/secure.hpp"

namespace dnie::crypto {

class BigInt {
 public:
  BigInt();  ///< Zero.
  explicit BigInt(std::uint64_t v);
  static BigInt from_bytes(ByteView big_endian);
  BigInt(const BigInt& o);
  BigInt& operator=(const BigInt& o);
  BigInt(BigInt&&) noexcept;
  BigInt& operator=(BigInt&&) noexcept;
  ~BigInt();

  /// Minimal big-endian bytes (empty for zero) when width == 0, else left-padded to `width`
  /// (InvalidArgument if the value does not fit).
  Result<Bytes> to_bytes(std::size_t width = 0) const;
  Result<SecureBuffer> to_secret(std::size_t width) const;  ///< to_bytes() into wiped storage
  std::size_t bits() const noexcept;
  std::size_t byte_size() const noexcept { return (bits() + 7) / 8; }
  bool is_zero() const noexcept;
  bool is_odd() const noexcept;
  int compare(const BigInt& o) const noexcept;  ///< -1, 0, 1

  friend bool operator==(const BigInt& a, const BigInt& b) { return a.compare(b) == 0; }
  friend bool operator!=(const BigInt& a, const BigInt& b) { return a.compare(b) != 0; }
  friend bool operator<(const BigInt& a, const BigInt& b) { return a.compare(b) < 0; }

  BigInt add(const BigInt& o) const;
  /// this - o; InvalidArgument when o > this (values are non-negative).
  Result<BigInt> sub(const BigInt& o) const;
  BigInt mul(const BigInt& o) const;
  Result<BigInt> mod(const BigInt& m) const;
  Result<BigInt> div(const BigInt& d) const;                       ///< floor division
  Result<BigInt> exp_mod(const BigInt& e, const BigInt& m) const;  ///< m must be odd
  Result<BigInt> inv_mod(const BigInt& m) const;
  BigInt shift_right(std::size_t n) const;
  BigInt shift_left(std::size_t n) const;

  struct Impl;
  const Impl& impl() const noexcept { return *m_impl; }  ///< façade-internal
  Impl& impl() noexcept { return *m_impl; }

 private:
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::crypto
