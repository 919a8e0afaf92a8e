// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/rng.hpp
// Random number generators. system_rng() is a CTR_DRBG (SP 800-90A) seeded from the OS entropy
// source, guarded by a mutex so it is safe to use from any thread. DeterministicRng produces a
// reproducible stream from a seed: for the virtual card's content generator and for tests,
// never for production keys. It is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "dnie/bytes/secure.hpp"

namespace dnie::crypto {

class Rng {
 public:
  virtual ~Rng() = default;
  /// Fills `out` with `n` random bytes.
  virtual Status fill(std::uint8_t* out, std::size_t n) = 0;
  Result<Bytes> bytes(std::size_t n);
  Result<SecureBuffer> secret(std::size_t n);
};

/// The process-wide OS-seeded DRBG.
Rng& system_rng();

class DeterministicRng final : public Rng {
 public:
  /// Any seed length; the same seed always yields the same stream (SHA-256 in counter mode over
  /// the seed, a construction of our own that does not depend on the mbedTLS version).
  explicit DeterministicRng(ByteView seed);
  ~DeterministicRng() override;
  Status fill(std::uint8_t* out, std::size_t n) override;

 private:
  SecureBuffer m_key;
  std::uint64_t m_counter = 0;
  SecureBuffer m_block;
  std::size_t m_used = 0;
};

/// Adapter so mbedTLS-style callbacks can draw from an Rng: int f(void* rng, unsigned char*, size_t).
int rng_callback(void* rng, unsigned char* out, std::size_t n);

}  // namespace dnie::crypto
