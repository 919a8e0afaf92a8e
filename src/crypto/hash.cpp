// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/hash.cpp
// SHA-1 and SHA-2 (FIPS 180-4) through mbedtls_md, plus the shared error and mpi helpers.
#include <cstdio>

#include <mbedtls/md.h>

#include "internal.hpp"

namespace dnie::crypto {

namespace detail {

Error backend_error(std::string_view what, int rc) {
  char code[16];
  std::snprintf(code, sizeof code, "-0x%04X", static_cast<unsigned>(rc < 0 ? -rc : rc));
  return Error(ErrorCode::CryptoError, std::string(what) + " failed (mbedTLS " + code + ")").with_native(rc);
}

mbedtls_md_type_t md_type(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::Sha1:
      return MBEDTLS_MD_SHA1;
    case HashAlg::Sha224:
      return MBEDTLS_MD_SHA224;
    case HashAlg::Sha256:
      return MBEDTLS_MD_SHA256;
    case HashAlg::Sha384:
      return MBEDTLS_MD_SHA384;
    case HashAlg::Sha512:
      return MBEDTLS_MD_SHA512;
  }
  return MBEDTLS_MD_NONE;
}

Status mpi_read(mbedtls_mpi* x, ByteView be) {
  int rc = mbedtls_mpi_read_binary(x, be.data(), be.size());
  if (rc != 0) return backend_error("mbedtls_mpi_read_binary", rc);
  return ok_status();
}

Result<SecureBuffer> mpi_write_secret(const mbedtls_mpi* x, std::size_t width) {
  std::size_t n = width ? width : mbedtls_mpi_size(x);
  if (width && mbedtls_mpi_size(x) > width) return invalid("integer does not fit the requested width");
  SecureBuffer out(n);
  int rc = mbedtls_mpi_write_binary(x, out.data(), out.size());
  if (rc != 0) return backend_error("mbedtls_mpi_write_binary", rc);
  return out;
}

Result<Bytes> mpi_write(const mbedtls_mpi* x, std::size_t width) {
  return public_value(mpi_write_secret(x, width));
}

}  // namespace detail

std::size_t hash_size(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::Sha1:
      return 20;
    case HashAlg::Sha224:
      return 28;
    case HashAlg::Sha256:
      return 32;
    case HashAlg::Sha384:
      return 48;
    case HashAlg::Sha512:
      return 64;
  }
  return 0;
}

std::string_view hash_name(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::Sha1:
      return "SHA-1";
    case HashAlg::Sha224:
      return "SHA-224";
    case HashAlg::Sha256:
      return "SHA-256";
    case HashAlg::Sha384:
      return "SHA-384";
    case HashAlg::Sha512:
      return "SHA-512";
  }
  return "?";
}

// OIDs: id-sha1 (RFC 3279 §2.2.1), id-sha224/256/384/512 (RFC 5754 §2, NIST CSOR).
std::string_view hash_oid(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::Sha1:
      return "1.3.14.3.2.26";
    case HashAlg::Sha224:
      return "2.16.840.1.101.3.4.2.4";
    case HashAlg::Sha256:
      return "2.16.840.1.101.3.4.2.1";
    case HashAlg::Sha384:
      return "2.16.840.1.101.3.4.2.2";
    case HashAlg::Sha512:
      return "2.16.840.1.101.3.4.2.3";
  }
  return "";
}

Result<HashAlg> hash_from_oid(std::string_view dotted) {
  for (HashAlg a : {HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512})
    if (hash_oid(a) == dotted) return a;
  return detail::unsupported("unknown hash algorithm " + std::string(dotted));
}

SecureBuffer hash_secret(HashAlg alg, ByteView data) {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(detail::md_type(alg));
  SecureBuffer out(hash_size(alg));
  // mbedtls_md only fails on a NULL info, which cannot happen for the enumerated algorithms.
  if (info == nullptr || mbedtls_md(info, data.data(), data.size(), out.data()) != 0) out.clear();
  return out;
}

Bytes hash(HashAlg alg, ByteView data) { return hash_secret(alg, data).view().to_bytes(); }

struct Hasher::Impl {
  mbedtls_md_context_t ctx;
  bool ok = false;
  Impl() noexcept { mbedtls_md_init(&ctx); }
  ~Impl() { mbedtls_md_free(&ctx); }
};

Hasher::Hasher(HashAlg alg) : m_alg(alg), m_impl(std::make_unique<Impl>()) {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(detail::md_type(alg));
  m_impl->ok =
      info != nullptr && mbedtls_md_setup(&m_impl->ctx, info, 0) == 0 && mbedtls_md_starts(&m_impl->ctx) == 0;
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(ByteView data) {
  if (m_impl && m_impl->ok && mbedtls_md_update(&m_impl->ctx, data.data(), data.size()) != 0)
    m_impl->ok = false;
}

Bytes Hasher::finish() {
  Bytes out(hash_size(m_alg));
  if (!m_impl || !m_impl->ok || mbedtls_md_finish(&m_impl->ctx, out.data()) != 0) out.clear();
  if (m_impl) m_impl->ok = m_impl->ok && mbedtls_md_starts(&m_impl->ctx) == 0;  // restart
  return out;
}

}  // namespace dnie::crypto
