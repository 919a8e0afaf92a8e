// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/internal.hpp
// Façade-internal helpers shared by the src/crypto translation units: mbedTLS error mapping,
// RAII wrappers for mbedtls_mpi / groups, and the Impl structs of the public classes.
// Never included outside src/crypto (only this directory may include mbedTLS headers).
#pragma once

#include <mutex>
#include <string>

#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"

#include "crypto/bigint.hpp"

namespace dnie::crypto::detail {

/// CryptoError carrying the mbedTLS code in `native`.
Error backend_error(std::string_view what, int rc);
inline Error invalid(std::string msg) { return Error(ErrorCode::InvalidArgument, std::move(msg)); }
inline Error malformed(std::string msg) { return Error(ErrorCode::MalformedData, std::move(msg)); }
inline Error unsupported(std::string msg) { return Error(ErrorCode::Unsupported, std::move(msg)); }
inline Error verify_failed(std::string msg) { return Error(ErrorCode::VerificationFailed, std::move(msg)); }

/// A value computed in wiped storage that is public after all (a ciphertext, a public key).
inline Result<Bytes> public_value(Result<SecureBuffer> r) {
  if (!r) return std::move(r).error();
  return r->view().to_bytes();
}

#ifdef DNIE_WITH_OPENSSL_EC
/// ec_openssl.cpp: scalar·P on the ICAO standardized curve `param_id` (8..18) with OpenSSL.
/// `point` is a validated uncompressed encoding, `scalar` already reduced into [1, n-1].
Result<SecureBuffer> openssl_mul(int param_id, ByteView scalar, ByteView point);
bool openssl_has_curve(int param_id) noexcept;
#endif

mbedtls_md_type_t md_type(HashAlg alg) noexcept;

/// Owning mbedtls_mpi; mbedtls_mpi_free zeroizes the limbs.
class Mpi {
 public:
  Mpi() noexcept { mbedtls_mpi_init(&m_v); }
  ~Mpi() { mbedtls_mpi_free(&m_v); }
  Mpi(const Mpi&) = delete;
  Mpi& operator=(const Mpi&) = delete;
  mbedtls_mpi* get() noexcept { return &m_v; }
  const mbedtls_mpi* get() const noexcept { return &m_v; }
  mbedtls_mpi& operator*() noexcept { return m_v; }

 private:
  mbedtls_mpi m_v;
};

/// Reads big-endian bytes into an mpi (CryptoError on allocation failure).
Status mpi_read(mbedtls_mpi* x, ByteView be);
/// Big-endian bytes of x left-padded to `width` (minimal when width == 0).
Result<Bytes> mpi_write(const mbedtls_mpi* x, std::size_t width = 0);
/// The same into wiped storage, for secret values.
Result<SecureBuffer> mpi_write_secret(const mbedtls_mpi* x, std::size_t width = 0);

/// Owning mbedtls_ecp_point.
class Point {
 public:
  Point() noexcept { mbedtls_ecp_point_init(&m_p); }
  ~Point() { mbedtls_ecp_point_free(&m_p); }
  Point(const Point&) = delete;
  Point& operator=(const Point&) = delete;
  mbedtls_ecp_point* get() noexcept { return &m_p; }
  const mbedtls_ecp_point* get() const noexcept { return &m_p; }

 private:
  mbedtls_ecp_point m_p;
};

/// A private, mutable mbedtls_ecp_group built from the immutable parameters of an EcGroup.
/// mbedtls_ecp_mul caches comb tables inside the group, so every operation works on its own
/// copy: that keeps const EcGroup methods safe to call from several threads.
class WorkGroup {
 public:
  WorkGroup() noexcept { mbedtls_ecp_group_init(&m_g); }
  ~WorkGroup() { mbedtls_ecp_group_free(&m_g); }
  WorkGroup(const WorkGroup&) = delete;
  WorkGroup& operator=(const WorkGroup&) = delete;
  mbedtls_ecp_group* get() noexcept { return &m_g; }

 private:
  mbedtls_ecp_group m_g;
};

}  // namespace dnie::crypto::detail

namespace dnie::crypto {

struct BigInt::Impl {
  mbedtls_mpi v;
  Impl() noexcept { mbedtls_mpi_init(&v); }
  ~Impl() { mbedtls_mpi_free(&v); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

struct EcGroup::Impl {
  CurveParams params;
  std::string name = "explicit";
  std::string oid;
  int param_id = -1;
  int curve_id = -1;  ///< the standardized curve under a mapped generator (param_id is then -1)
  EcArithmetic arithmetic = EcArithmetic::Default;
  std::size_t field_size = 0, order_size = 0;
  /// Fills `g` (freshly initialised) with this curve (SEC 1 §3.1.1.1 short Weierstrass).
  Status load(mbedtls_ecp_group* g) const;
};

struct RsaPublicKey::Impl {
  mbedtls_rsa_context ctx;
  Impl() noexcept { mbedtls_rsa_init(&ctx, MBEDTLS_RSA_PKCS_V15, 0); }
  ~Impl() { mbedtls_rsa_free(&ctx); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

}  // namespace dnie::crypto

namespace dnie::crypto::detail {

/// One ICAO standardized curve (ICAO 9303-11 §9.5.1), hex domain parameters (curves.cpp).
struct CurveDef {
  int param_id;
  const char* name;
  const char* oid;
  const char *p, *a, *b, *gx, *gy, *n;
};
/// Decodes (and validates) a point on the curve given by raw parameters whose generator may not
/// be known yet (explicit ECParameters carry a possibly compressed base point). Returns 04‖X‖Y.
Result<Bytes> ec_decode_point_with(const CurveParams& params, ByteView encoded);

/// The 11 standardized curves, param IDs 8..18 in order.
const CurveDef* curve_table(std::size_t& count) noexcept;

}  // namespace dnie::crypto::detail
