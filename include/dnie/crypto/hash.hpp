// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/hash.hpp
// Hash functions of the crypto façade (FIPS 180-4). The façade (target dnie::crypto) is the only
// code in the SDK that includes mbedTLS. Thread safety: free functions are reentrant; a Hasher
// object must not be shared between threads.
#pragma once

#include <memory>
#include <string_view>

#include "dnie/bytes/secure.hpp"

namespace dnie::crypto {

enum class HashAlg { Sha1, Sha224, Sha256, Sha384, Sha512 };

std::size_t hash_size(HashAlg alg) noexcept;
std::string_view hash_name(HashAlg alg) noexcept;  ///< "SHA-256"
/// Dotted OID of the hash algorithm (e.g. "2.16.840.1.101.3.4.2.1").
std::string_view hash_oid(HashAlg alg) noexcept;
/// Hash algorithm from its OID; Unsupported if unknown.
Result<HashAlg> hash_from_oid(std::string_view dotted);

Bytes hash(HashAlg alg, ByteView data);
/// The same into wiped storage: for digests that are keys (KDFs, CWA-14890 key derivation).
SecureBuffer hash_secret(HashAlg alg, ByteView data);

/// Incremental hashing.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void update(ByteView data);
  Bytes finish();  ///< The object may be reused after finish() (it restarts).
  HashAlg alg() const noexcept { return m_alg; }

 private:
  struct Impl;
  HashAlg m_alg;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::crypto
