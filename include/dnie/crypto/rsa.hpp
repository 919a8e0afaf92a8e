// SPDX-License-Identifier: Apache-2.0
// File: dnie/crypto/rsa.hpp
// RSA (RFC 8017): raw public and private operations (CWA-14890 and ISO 9796-2 need them),
// PKCS#1 v1.5 and PSS verification, PKCS#1 v1.5 signing (virtual card, test PKI) and key
// generation from any Rng (deterministic generation for the card generator).
// Keys are immutable after construction; const methods are safe from several threads
// (private operations use an internal lock for mbedTLS blinding state).
#pragma once

#include <memory>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"

namespace dnie::crypto {

/// DER DigestInfo (RFC 8017 §9.2 note 1) for a digest of `alg`.
Result<Bytes> digest_info(HashAlg alg, ByteView digest);
/// Recognises a DER DigestInfo; returns the algorithm and the digest.
struct ParsedDigestInfo {
  HashAlg alg;
  Bytes digest;
};
Result<ParsedDigestInfo> parse_digest_info(ByteView der);

class RsaPublicKey {
 public:
  static Result<RsaPublicKey> from_components(ByteView modulus, ByteView exponent);
  /// From DER RSAPublicKey (PKCS#1) or SubjectPublicKeyInfo with rsaEncryption.
  static Result<RsaPublicKey> from_der(ByteView der);

  RsaPublicKey(const RsaPublicKey&);
  RsaPublicKey& operator=(const RsaPublicKey&);
  RsaPublicKey(RsaPublicKey&&) noexcept;
  RsaPublicKey& operator=(RsaPublicKey&&) noexcept;
  ~RsaPublicKey();

  Bytes modulus() const;
  Bytes exponent() const;
  std::size_t size() const noexcept;  ///< modulus bytes
  std::size_t bits() const noexcept;

  /// input^e mod n, input < n, output left-padded to size(), in wiped storage (CWA-14890
  /// recovers KICC this way).
  Result<SecureBuffer> public_op(ByteView input) const;
  /// RSASSA-PKCS1-v1_5 over a digest of `alg`.
  Status verify_pkcs1_v15(HashAlg alg, ByteView digest, ByteView signature) const;
  /// RSASSA-PSS; salt_len < 0 accepts any salt length.
  Status verify_pss(HashAlg alg, ByteView digest, ByteView signature, int salt_len = -1,
                    HashAlg mgf1 = HashAlg::Sha256, bool mgf1_same_as_alg = true) const;
  /// DER SubjectPublicKeyInfo (rsaEncryption, NULL params).
  Bytes to_spki() const;
  /// DER RSAPublicKey.
  Bytes to_pkcs1() const;

  struct Impl;
  const Impl& impl() const noexcept { return *m_impl; }

 private:
  explicit RsaPublicKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

class RsaPrivateKey {
 public:
  static Result<RsaPrivateKey> generate(unsigned bits, Rng& rng, std::uint32_t e = 65537);
  /// From n, e, d (and optionally p, q for CRT; empty views if unknown).
  static Result<RsaPrivateKey> from_components(ByteView n, ByteView e, ByteView d, ByteView p = {},
                                               ByteView q = {});
  /// DER RSAPrivateKey (PKCS#1).
  static Result<RsaPrivateKey> from_der(ByteView der);

  RsaPrivateKey(RsaPrivateKey&&) noexcept;
  RsaPrivateKey& operator=(RsaPrivateKey&&) noexcept;
  RsaPrivateKey(const RsaPrivateKey&) = delete;
  RsaPrivateKey& operator=(const RsaPrivateKey&) = delete;
  ~RsaPrivateKey();

  RsaPublicKey public_key() const;
  std::size_t size() const noexcept;

  /// input^d mod n, input < n, output left-padded to size(), in wiped storage.
  Result<SecureBuffer> private_op(ByteView input) const;
  /// RSASSA-PKCS1-v1_5 over a digest.
  Result<Bytes> sign_pkcs1_v15(HashAlg alg, ByteView digest) const;
  /// PKCS#1 v1.5 type-1 padding around caller-supplied bytes (a DigestInfo), then private_op:
  /// what a smart card's PSO:COMPUTE DIGITAL SIGNATURE does.
  Result<Bytes> sign_pkcs1_v15_raw(ByteView digest_info) const;
  /// RSASSA-PSS (salt length = hash length) — for tests of the verifiers.
  Result<Bytes> sign_pss(HashAlg alg, ByteView digest, Rng& rng) const;
  /// DER RSAPrivateKey (PKCS#1), in a wiped buffer.
  SecureBuffer to_der() const;

 private:
  struct Impl;
  explicit RsaPrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::crypto
